//! Network definitions on tch: the reference Keras MLP and friends
