"""The model catalog: the module's model tables as data (content/models.yaml), costs, a price dataset."""
