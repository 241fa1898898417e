//! Hostile child: loops forever, never calling the host. Only a fuel limit
//! or a kill ends it.

fn main() {
    let mut x: u64 = 0;
    loop {
        // black_box keeps the loop from being optimized into nothing.
        x = std::hint::black_box(x.wrapping_add(1));
    }
}
