"""The engine: activations, losses, initializers, layers and the Network that chains them."""
