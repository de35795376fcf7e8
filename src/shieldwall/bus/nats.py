"""NATS JetStream implementation of the Bus protocol."""
