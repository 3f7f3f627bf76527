//! Training loop, Adam, Keras-style LR schedule and early stopping, evaluation
