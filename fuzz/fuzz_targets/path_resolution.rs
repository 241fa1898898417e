//! WASI path resolution: builds a random layout of directories, files and
//! symbolic links (pointing anywhere, including out of the grant) in a scratch
//! grant, then resolves arbitrary guest paths through `RealHost` (`open_at`
//! with arbitrary flags, `stat_at`, `create_dir_at`, `symlink_at`). Whatever a
//! call returns must be inside the grant (by device and inode), and nothing
//! outside the grant may change.
#![no_main]

use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasiproc_wasi::host::{HostEnv, OpenRequest, RealHost};

fn base() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let b = std::env::temp_dir().join(format!("wasiproc-fuzz-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&b);
        std::fs::create_dir_all(&b).unwrap();
        b
    })
}

const NAMES: &[&str] = &["a", "b", "c", "d", ".", "..", "", "link", "secret"];

fn component(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(if u.ratio(1, 8)? {
        let s: String = u.arbitrary()?;
        s.chars().take(12).collect()
    } else {
        u.choose(NAMES)?.to_string()
    })
}

fn rel_path(u: &mut Unstructured<'_>) -> Result<String> {
    let n = u.int_in_range(1..=5)?;
    let mut parts = Vec::new();
    for _ in 0..n {
        parts.push(component(u)?);
    }
    let mut p = parts.join("/");
    if u.ratio(1, 10)? {
        p.insert(0, '/');
    }
    if u.ratio(1, 10)? {
        p.push('/');
    }
    Ok(p)
}

fn link_target(u: &mut Unstructured<'_>, outside: &Path) -> Result<String> {
    Ok(match u.int_in_range(0..=6)? {
        0 => "..".into(),
        1 => "../outside".into(),
        2 => "../outside/secret".into(),
        3 => outside.join("secret").display().to_string(),
        4 => outside.display().to_string(),
        5 => "/".into(),
        _ => rel_path(u)?,
    })
}

/// Device and inode of everything beneath `dir` (not following links).
fn inodes(dir: &Path, out: &mut HashSet<(u64, u64)>) {
    let Ok(m) = std::fs::symlink_metadata(dir) else {
        return;
    };
    out.insert((m.dev(), m.ino()));
    if m.is_dir()
        && let Ok(rd) = std::fs::read_dir(dir)
    {
        for e in rd.flatten() {
            inodes(&e.path(), out);
        }
    }
}

/// Names, kinds and contents beneath `dir` (not following links).
fn snapshot(dir: &Path, out: &mut BTreeMap<PathBuf, (u64, Vec<u8>)>) {
    let Ok(m) = std::fs::symlink_metadata(dir) else {
        return;
    };
    let content = if m.is_file() {
        std::fs::read(dir).unwrap_or_default()
    } else {
        Vec::new()
    };
    out.insert(
        dir.to_path_buf(),
        (m.mode() as u64 ^ (m.nlink() << 32), content),
    );
    if m.is_dir()
        && let Ok(rd) = std::fs::read_dir(dir)
    {
        for e in rd.flatten() {
            snapshot(&e.path(), out);
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Flags {
    follow: bool,
    create: bool,
    directory: bool,
    exclusive: bool,
    truncate: bool,
    read: bool,
    write: bool,
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let base = base();
    let grant = base.join("grant");
    let outside = base.join("outside");
    let _ = std::fs::remove_dir_all(&grant);
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(outside.join("sub")).unwrap();
    std::fs::write(outside.join("secret"), b"secret").unwrap();
    std::fs::create_dir_all(&grant).unwrap();
    let base_before: Vec<_> = std::fs::read_dir(base)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();

    // The layout, made on the host side (ambient authority): only beneath
    // real directories of the grant, never through a link.
    let entries = u.int_in_range(0..=10)?;
    for _ in 0..entries {
        let p = rel_path(&mut u)?;
        let parts: Vec<&str> = p.split('/').filter(|c| !c.is_empty()).collect();
        if parts.is_empty() || parts.iter().any(|c| *c == ".." || *c == ".") {
            continue;
        }
        let mut parent = grant.clone();
        let mut real = true;
        for c in &parts[..parts.len() - 1] {
            parent.push(c);
            if !std::fs::symlink_metadata(&parent).is_ok_and(|m| m.is_dir()) {
                real = false;
                break;
            }
        }
        if !real {
            continue;
        }
        let host = parent.join(parts[parts.len() - 1]);
        match u.int_in_range(0..=2)? {
            0 => {
                let _ = std::fs::create_dir(&host);
            }
            1 => {
                if std::fs::symlink_metadata(&host).is_err() {
                    let _ = std::fs::write(&host, b"inside");
                }
            }
            _ => {
                let target = link_target(&mut u, &outside)?;
                let _ = std::os::unix::fs::symlink(target, &host);
            }
        }
    }
    let mut before = BTreeMap::new();
    snapshot(&outside, &mut before);

    let mut h = RealHost::new();
    let root = h.open_preopen(&grant).expect("open the grant");
    let ops = u.int_in_range(1..=8)?;
    for _ in 0..ops {
        let path = rel_path(&mut u)?;
        let found = match u.int_in_range(0..=3)? {
            0 => {
                let f: Flags = u.arbitrary()?;
                let req = OpenRequest {
                    follow: f.follow,
                    create: f.create,
                    directory: f.directory,
                    exclusive: f.exclusive,
                    truncate: f.truncate,
                    read: f.read,
                    write: f.write,
                    sync_flags: 0,
                };
                match h.open_at(root, &path, &req) {
                    Ok((handle, _)) => {
                        let st = h.filestat(handle).expect("filestat of an opened handle");
                        h.close(handle);
                        Some((st.dev, st.ino))
                    }
                    Err(_) => None,
                }
            }
            1 => {
                let follow: bool = u.arbitrary()?;
                h.stat_at(root, &path, follow)
                    .ok()
                    .map(|st| (st.dev, st.ino))
            }
            2 => {
                let _ = h.create_dir_at(root, &path);
                None
            }
            _ => {
                let target = link_target(&mut u, &outside)?;
                let _ = h.symlink_at(&target, root, &path);
                None
            }
        };
        if let Some(id) = found {
            let mut inside = HashSet::new();
            inodes(&grant, &mut inside);
            assert!(
                inside.contains(&id),
                "{path:?} resolved to {id:?}, which is not inside the grant"
            );
        }
        let mut after = BTreeMap::new();
        snapshot(&outside, &mut after);
        assert_eq!(
            before, after,
            "{path:?} changed something outside the grant"
        );
        let base_after: Vec<_> = std::fs::read_dir(base)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            base_before, base_after,
            "{path:?} created something beside the grant"
        );
    }
    h.close(root);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
