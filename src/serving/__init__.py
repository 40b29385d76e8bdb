"""Serving: registered persona models on shared base models, batched generation, HTTP API."""
