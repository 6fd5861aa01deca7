"""The pipeline's stages: segment (and the head crop), smooth, refine (face guard, face landmarks), recolour (levels)."""
