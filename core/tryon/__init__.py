"""The try-on the app and the command line run: the ``session`` (the settings and what follows from them:
the model, the palette, the starting look, how a source opens) and the window's ``state`` (the look being
tried, the view, the source and the kiosk's policy), both without Qt."""
