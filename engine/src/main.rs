fn main() {
    println!("falcon {}", env!("CARGO_PKG_VERSION"));
}
