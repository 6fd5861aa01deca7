"""Exceptions whose messages a person can act on. The desktop shows them; the CLI prints them."""


class HairTintError(Exception):
    """Base of every error HairTint reports to a person."""


class DataError(HairTintError):
    """A data set, split file, image or mask that cannot be used."""


class ImageReadError(HairTintError):
    """A photo that cannot be read or decoded."""


class SourceError(HairTintError):
    """A frame source that cannot be opened or has stopped delivering."""


class ModelError(HairTintError):
    """A model that is missing, tampered with, or cannot be loaded."""


class PaletteError(HairTintError):
    """A palette file or colour name that cannot be used."""


class ConfigError(HairTintError):
    """A settings file that cannot be used."""
