"""Where pictures come from and go: frame sources, image files, labelled data sets, source specs, output names."""
