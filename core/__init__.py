"""HairTint's engine: frames, sources, segmentation, smoothing, refinement, recolouring. No Qt here."""
