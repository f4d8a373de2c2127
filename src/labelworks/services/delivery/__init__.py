"""Delivery: the callback outbox and the worker that sends it."""
