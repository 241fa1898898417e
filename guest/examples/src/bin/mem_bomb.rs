//! Hostile child: allocates memory forever (1 MiB vectors, touched so the
//! pages are really used). Only a memory limit (or the host running out)
//! ends it.

fn main() {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; 1 << 20];
        // Write every page so nothing can be left unbacked.
        for i in (0..chunk.len()).step_by(4096) {
            chunk[i] = 1;
        }
        hoard.push(std::hint::black_box(chunk));
    }
}
