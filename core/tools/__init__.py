"""Headless tools over the pipeline: eval and its edge figures, eval-video, bench, batch recolour."""
