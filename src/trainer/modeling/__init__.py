"""Training: the base model, packed batches, the LightningModule and `train(cfg)`."""
