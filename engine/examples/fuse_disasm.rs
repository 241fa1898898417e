//! temp (not committed): dump translated functions containing a pattern
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let mut c = wasiproc_engine::Config::default();
    c.consume_fuel(true);
    let engine = wasiproc_engine::Engine::new(&c);
    let m = wasiproc_engine::Module::new(&engine, &bytes).unwrap();
    for i in 0..100000u32 {
        let Some(d) = m.disassemble(i) else {
            if i > 5000 { break } else { continue }
        };
        if a.len() < 3 || a[2..].iter().all(|p| d.contains(p.as_str())) {
            println!("== func {i}\n{d}");
        }
    }
}
