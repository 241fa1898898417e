//! The seed example's child, exactly as the article has it: adds its two
//! arguments and prints the sum.
//!
//! `child_worker.wasm 10 25` prints `Result of 10 + 25 = 35`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("Usage: child_worker <num1> <num2>");
        std::process::exit(1);
    }
    let num1: i32 = args[1].parse().unwrap_or(0);
    let num2: i32 = args[2].parse().unwrap_or(0);
    let result = num1 + num2;
    println!("Result of {} + {} = {}", num1, num2, result);
    std::process::exit(0);
}
