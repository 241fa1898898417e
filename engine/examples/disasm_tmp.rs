use wasiproc_engine::*;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let m = Module::new(&engine, std::fs::read(path).unwrap()).unwrap();
    for i in 0..5000 { if let Some(d) = m.disassemble(i) { println!("== func {i}\n{d}"); } }
}
