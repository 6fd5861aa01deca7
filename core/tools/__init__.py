"""Headless tools over the pipeline: eval and its mask and edge figures, eval-video, bench, batch recolour."""
