//! Fashion-MNIST reading, verification, fetching and splitting, in plain Rust types
