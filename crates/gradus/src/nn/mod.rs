//! Networks: activations, initialisers, losses, layers, models.
