"""View → Inside the Model: every layer of the model in use, responding to the drawing live."""
