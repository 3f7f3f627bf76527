//! fmnist
fn main() {}
