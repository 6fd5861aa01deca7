"""The one pipeline a frame flows through (``pipeline``: segment -> smooth -> refine -> recolour, each
stage timed, with its rolling ``latency``) and its assembly from the catalog's model and the settings
(``engine``)."""
