// A fan-out worker needs almost no stack: give it 64 KiB instead of the
// default 1 MiB, so a thousand of them alive at once take ~128 MiB of host
// memory rather than ~1.1 GiB.
fn main() {
    println!("cargo:rustc-link-arg-bin=fanout_worker=-zstack-size=65536");
}
