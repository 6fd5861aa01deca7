"""What an installation chooses from: the model registry, palettes, settings, the rollout."""
