"""Retrain: the dialog that trains a model in a child process and plots how it learns."""
