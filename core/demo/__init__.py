"""The synthetic demo portrait and clip, for running and testing with no camera."""
