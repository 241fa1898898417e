//! One guest program with a test case per first argument; see
//! cli/tests/wasi.rs for what each case is expected to print.

mod raw;

use std::env;
use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn code<T>(r: Result<T, i32>) -> i32 {
    match r {
        Ok(_) => 0,
        Err(e) => e,
    }
}

fn report(name: &str, errno: i32) {
    println!("{name} {errno}");
}

/// A directory fd for a guest path (opened with std, i.e. `path_open`).
fn dir_fd(path: &str) -> i32 {
    let f = fs::File::open(path).unwrap_or_else(|e| panic!("open dir {path}: {e}"));
    let fd = f.as_raw_fd();
    std::mem::forget(f);
    fd
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("");
    let rest = &args[2.min(args.len())..];
    match case {
        "args" => {
            for a in &args {
                println!("[{a}]");
            }
        }
        "env" => {
            let mut v: Vec<_> = env::vars().collect();
            v.sort();
            for (k, val) in v {
                println!("{k}={val}");
            }
        }
        "exit" => std::process::exit(rest[0].parse().unwrap()),
        "stdio" => {
            println!("to stdout");
            eprintln!("to stderr");
        }
        "stdin" => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).unwrap();
            println!("stdin {} bytes: {}", s.len(), s.to_uppercase());
        }
        "files" => files(Path::new(&rest[0])),
        "escape" => escape(&rest[0]),
        "race" => race(&rest[0], rest[1].parse().unwrap()),
        "readonly" => readonly(&rest[0], &rest[1]),
        "clocks" => clocks(),
        "random" => random(),
        "sleep" => {
            let ms: u64 = rest[0].parse().unwrap();
            let t = Instant::now();
            std::thread::sleep(Duration::from_millis(ms));
            let el = t.elapsed();
            assert!(el >= Duration::from_millis(ms), "slept only {el:?}");
            println!("slept ok");
        }
        "poll" => poll(),
        "poll_stdin" => poll_stdin(),
        "raw" => raw_calls(&rest[0]),
        "trap" => guest_crash(),
        "exit_big" => std::process::exit(200),
        _ => {
            eprintln!("unknown case {case:?}");
            std::process::exit(2);
        }
    }
}

#[inline(never)]
fn guest_crash() {
    core::arch::wasm32::unreachable()
}

fn files(d: &Path) {
    let a = d.join("a.txt");
    fs::write(&a, b"hello world").unwrap();
    assert_eq!(fs::read_to_string(&a).unwrap(), "hello world");
    println!("ok create");

    let mut f = OpenOptions::new().read(true).write(true).open(&a).unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"WASI!").unwrap();
    assert_eq!(f.stream_position().unwrap(), 11);
    f.seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello WASI!");
    f.seek(SeekFrom::End(-5)).unwrap();
    s.clear();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "WASI!");
    let mut pos = 0u64;
    assert_eq!(unsafe { raw::fd_tell(f.as_raw_fd(), &mut pos) }, 0);
    assert_eq!(pos, 11);
    assert!(f.seek(SeekFrom::Current(-100)).is_err());
    println!("ok seek");

    let mut ap = OpenOptions::new().append(true).open(&a).unwrap();
    ap.write_all(b" more").unwrap();
    assert_eq!(fs::read_to_string(&a).unwrap(), "hello WASI! more");
    println!("ok append");

    let t = OpenOptions::new().write(true).open(&a).unwrap();
    t.set_len(5).unwrap();
    assert_eq!(fs::read(&a).unwrap(), b"hello");
    t.set_len(8).unwrap();
    assert_eq!(fs::read(&a).unwrap(), b"hello\0\0\0");
    OpenOptions::new().write(true).truncate(true).open(&a).unwrap();
    assert_eq!(fs::metadata(&a).unwrap().len(), 0);
    let e = OpenOptions::new().write(true).create_new(true).open(&a).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
    println!("ok truncate");

    fs::write(&a, b"0123456789").unwrap();
    let m = fs::metadata(&a).unwrap();
    assert!(m.is_file() && !m.is_dir());
    assert_eq!(m.len(), 10);
    let when = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let f = OpenOptions::new().write(true).open(&a).unwrap();
    f.set_times(fs::FileTimes::new().set_modified(when).set_accessed(when)).unwrap();
    let m = fs::metadata(&a).unwrap();
    assert_eq!(m.modified().unwrap(), when);
    assert_eq!(m.accessed().unwrap(), when);
    let st = raw::stat(dir_fd(d.to_str().unwrap()), true, "a.txt").unwrap();
    assert_eq!(st[16], 4, "regular file");
    assert_eq!(u64::from_le_bytes(st[32..40].try_into().unwrap()), 10);
    assert!(m.created().is_err() || m.created().is_ok());
    assert!(SystemTime::now() > when);
    println!("ok stat");

    let sub = d.join("sub");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("y"), b"y").unwrap();
    fs::write(sub.join("x"), b"x").unwrap();
    let mut names: Vec<String> = fs::read_dir(&sub)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["x", "y"]);
    // fd_readdir with a tiny buffer: entries come in pieces, cookies resume.
    let sfd = dir_fd(sub.to_str().unwrap());
    let mut cookie = 0i64;
    let mut seen = Vec::new();
    loop {
        let mut buf = [0u8; 40];
        let mut used = 0usize;
        assert_eq!(unsafe { raw::fd_readdir(sfd, buf.as_mut_ptr(), buf.len(), cookie, &mut used) }, 0);
        if used < 24 {
            break;
        }
        let next = i64::from_le_bytes(buf[0..8].try_into().unwrap());
        let namlen = u32::from_le_bytes(buf[16..20].try_into().unwrap()) as usize;
        if 24 + namlen > used {
            // cut off: only the header fits; take the name from the next call
            assert_eq!(used, buf.len());
        }
        let end = (24 + namlen).min(used);
        seen.push(String::from_utf8_lossy(&buf[24..end]).into_owned());
        cookie = next;
    }
    assert_eq!(seen, [".", "..", "x", "y"]);
    println!("ok readdir");

    fs::rename(sub.join("x"), sub.join("z")).unwrap();
    assert!(!sub.join("x").exists() && sub.join("z").exists());
    fs::rename(sub.join("z"), d.join("z_moved")).unwrap();
    assert_eq!(fs::read(d.join("z_moved")).unwrap(), b"x");
    println!("ok rename");

    let dfd = dir_fd(d.to_str().unwrap());
    assert_eq!(raw::rmdir(dfd, "sub"), 55, "ENOTEMPTY");
    assert_eq!(raw::unlink(dfd, "sub"), 31, "EISDIR");
    fs::remove_file(sub.join("y")).unwrap();
    fs::remove_dir(&sub).unwrap();
    assert!(!sub.exists());
    fs::remove_file(d.join("z_moved")).unwrap();
    assert_eq!(raw::unlink(dfd, "z_moved"), 44, "ENOENT");
    fs::create_dir_all(d.join("p/q/r")).unwrap();
    assert_eq!(raw::mkdir(dfd, "p"), 20, "EEXIST");
    fs::remove_dir_all(d.join("p")).unwrap();
    println!("ok mkdir");

    assert_eq!(raw::symlink("a.txt", dfd, "lnk"), 0);
    assert_eq!(fs::read_link(d.join("lnk")).unwrap(), Path::new("a.txt"));
    assert_eq!(fs::read(d.join("lnk")).unwrap(), b"0123456789");
    assert!(fs::symlink_metadata(d.join("lnk")).unwrap().file_type().is_symlink());
    assert_eq!(raw::readlink(dfd, "lnk", 3).unwrap(), "a.t");
    let lst = raw::stat(dfd, false, "lnk").unwrap();
    assert_eq!(lst[16], 7, "symlink");
    assert_eq!(code(raw::open(dfd, false, "lnk", 0, raw::RIGHT_FD_READ)), 32, "ELOOP");
    fs::remove_file(d.join("lnk")).unwrap();
    println!("ok symlink");

    fs::hard_link(&a, d.join("hl")).unwrap();
    let st = raw::stat(dfd, true, "hl").unwrap();
    assert_eq!(u64::from_le_bytes(st[24..32].try_into().unwrap()), 2, "nlink");
    fs::remove_file(d.join("hl")).unwrap();
    println!("ok link");

    let fd = raw::open(dfd, false, "a.txt", 0, raw::RIGHT_FD_READ | raw::RIGHT_FD_WRITE).unwrap();
    let data = b"XY";
    let iov = raw::Iovec { buf: data.as_ptr(), len: 2 };
    let mut n = 0;
    assert_eq!(unsafe { raw::fd_pwrite(fd, &iov, 1, 3, &mut n) }, 0);
    assert_eq!(n, 2);
    let mut buf = [0u8; 4];
    let iov = raw::Iovec { buf: buf.as_mut_ptr(), len: 4 };
    assert_eq!(unsafe { raw::fd_pread(fd, &iov, 1, 2, &mut n) }, 0);
    assert_eq!(&buf[..n], b"2XY5");
    let mut pos = 1;
    assert_eq!(unsafe { raw::fd_tell(fd, &mut pos) }, 0);
    assert_eq!(pos, 0);
    raw::close(fd);
    println!("ok pread");
    fs::remove_file(&a).unwrap();
    println!("files ok");
}

fn escape(dir: &str) {
    let d = dir_fd(dir);
    let r = raw::RIGHT_FD_READ;
    let w = raw::RIGHT_FD_READ | raw::RIGHT_FD_WRITE;
    report("dotdot", code(raw::open(d, false, "../outside.txt", 0, r)));
    report("dotdot_deep", code(raw::open(d, false, "sub/../../outside.txt", 0, r)));
    report("dotdot_inside", code(raw::open(d, false, "sub/../inside.txt", 0, r)));
    report("absolute", code(raw::open(d, false, "/etc/passwd", 0, r)));
    report("absolute_inside", code(raw::open(d, false, "/inside.txt", 0, r)));
    report("symlink_abs", code(raw::open(d, true, "out_abs/passwd", 0, r)));
    report("symlink_rel", code(raw::open(d, true, "out_rel/outside.txt", 0, r)));
    report("symlink_nested", code(raw::open(d, true, "sub/up", 0, r)));
    report("symlink_dir_of_link", code(raw::open(d, false, "out_rel/outside.txt", 0, r)));
    report("creat_through_symlink", code(raw::open(d, true, "dangling_out", raw::O_CREAT, w)));
    report("creat_nofollow_symlink", code(raw::open(d, false, "dangling_out", raw::O_CREAT, w)));
    report("creat_excl_symlink", code(raw::open(d, true, "dangling_out", raw::O_CREAT | raw::O_EXCL, w)));
    report("trunc_through_symlink", code(raw::open(d, true, "out_rel/outside.txt", raw::O_TRUNC, w)));
    report("open_parent_dir", code(raw::open(d, false, "..", raw::O_DIRECTORY, r)));
    report("mkdir_dotdot", raw::mkdir(d, "../evil"));
    report("mkdir_via_symlink", raw::mkdir(d, "out_rel/evil"));
    report("rename_out", raw::rename(d, "inside.txt", d, "../stolen.txt"));
    report("rename_in", raw::rename(d, "../outside.txt", d, "got.txt"));
    report("link_out", raw::link(d, "inside.txt", d, "../linked.txt"));
    report("link_in", raw::link(d, "../outside.txt", d, "linked_in.txt"));
    report("unlink_out", raw::unlink(d, "../outside.txt"));
    report("unlink_via_symlink", raw::unlink(d, "out_rel/outside.txt"));
    report("rmdir_dotdot", raw::rmdir(d, "../sandbox"));
    report("set_times_out", raw::set_times(d, "out_rel/outside.txt"));
    report("stat_out", code(raw::stat(d, true, "out_rel/outside.txt")));
    report("stat_link_itself", code(raw::stat(d, false, "out_abs")));
    report("readlink_abs", code(raw::readlink(d, "out_abs", 64)));
    let created = raw::symlink("/etc/passwd", d, "new_abs_link");
    report("symlink_create_abs", created);
    report("symlink_follow_new_abs", code(raw::open(d, true, "new_abs_link", 0, r)));
    report("symlink_create_rel_out", raw::symlink("../outside.txt", d, "new_rel_link"));
    report("symlink_follow_new_rel", code(raw::open(d, true, "new_rel_link", 0, r)));
    // The same refusals through the C library paths std uses.
    let std_err = |p: &str| fs::read(p).err().and_then(|e| e.raw_os_error()).unwrap_or(0);
    report("std_dotdot", std_err(&format!("{dir}/../outside.txt")));
    report("std_symlink", std_err(&format!("{dir}/out_rel/outside.txt")));
    report("std_unmapped", std_err("/etc/passwd"));
}

fn race(dir: &str, rounds: usize) {
    let d = dir_fd(dir);
    let (mut inside, mut refused, mut escaped, mut other) = (0, 0, 0, 0);
    for _ in 0..rounds {
        match raw::open(d, true, "race/secret.txt", 0, raw::RIGHT_FD_READ) {
            Ok(fd) => {
                let data = raw::read(fd, 64).unwrap();
                raw::close(fd);
                if data == b"INSIDE" {
                    inside += 1;
                } else {
                    escaped += 1;
                }
            }
            Err(63) => refused += 1,
            Err(_) => other += 1,
        }
    }
    println!("race inside={inside} refused={refused} other={other} escaped={escaped}");
}

fn readonly(ro: &str, rw: &str) {
    let ro_fd = dir_fd(ro);
    let rw_fd = dir_fd(rw);
    let r = raw::RIGHT_FD_READ;
    let w = raw::RIGHT_FD_READ | raw::RIGHT_FD_WRITE;
    report("ro_read", code(raw::open(ro_fd, false, "file.txt", 0, r)));
    report("ro_create", code(raw::open(ro_fd, false, "new.txt", raw::O_CREAT, w)));
    report("ro_open_write", code(raw::open(ro_fd, false, "file.txt", 0, w)));
    report("ro_truncate", code(raw::open(ro_fd, false, "file.txt", raw::O_TRUNC, r)));
    report("ro_mkdir", raw::mkdir(ro_fd, "newdir"));
    report("ro_rmdir", raw::rmdir(ro_fd, "subdir"));
    report("ro_unlink", raw::unlink(ro_fd, "file.txt"));
    report("ro_rename_out", raw::rename(ro_fd, "file.txt", rw_fd, "moved.txt"));
    report("ro_rename_in", raw::rename(rw_fd, "other.txt", ro_fd, "x.txt"));
    report("ro_link_out", raw::link(ro_fd, "file.txt", rw_fd, "hl.txt"));
    report("ro_symlink", raw::symlink("file.txt", ro_fd, "sl"));
    report("ro_set_times", raw::set_times(ro_fd, "file.txt"));
    let fd = raw::open(ro_fd, false, "file.txt", 0, r).unwrap();
    report("ro_fd_write", code(raw::write(fd, b"x")));
    report("ro_fd_set_size", unsafe { raw::fd_filestat_set_size(fd, 0) });
    report("ro_fd_set_times", unsafe { raw::fd_filestat_set_times(fd, 0, 0, 1 | 4) });
    report("ro_fd_allocate", unsafe { raw::fd_allocate(fd, 0, 100) });
    let sub = raw::open(ro_fd, false, "subdir", raw::O_DIRECTORY, r).unwrap();
    report("ro_subdir_create", code(raw::open(sub, false, "f", raw::O_CREAT, w)));
    report("ro_subdir_read", code(raw::open(sub, false, "inner.txt", 0, r)));
    let std_err = fs::write(format!("{ro}/std.txt"), b"x")
        .err()
        .and_then(|e| e.raw_os_error())
        .unwrap_or(0);
    report("ro_std_write", std_err);
    report("rw_create", code(fs::write(format!("{rw}/made.txt"), b"rw").map_err(|_| -1)));
    report("rw_read_back_via_ro", code(fs::read(format!("{ro}/made.txt")).map_err(|_| -1)));
    println!("file.txt={}", fs::read_to_string(format!("{ro}/file.txt")).unwrap());
}

fn clocks() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    assert!(now.as_secs() > 1_577_836_800, "after 2020");
    let (mut a, mut b) = (0u64, 0u64);
    unsafe {
        assert_eq!(raw::clock_time_get(1, 1, &mut a), 0);
        assert_eq!(raw::clock_time_get(1, 1, &mut b), 0);
    }
    assert!(b >= a);
    let mut res = 0;
    assert_eq!(unsafe { raw::clock_res_get(0, &mut res) }, 0);
    assert!(res > 0);
    assert_eq!(unsafe { raw::clock_res_get(1, &mut res) }, 0);
    assert!(res > 0);
    let t = Instant::now();
    let mut x = 0u64;
    for i in 0..100_000u64 {
        x = x.wrapping_add(i * i);
    }
    assert!(t.elapsed() > Duration::ZERO || x == 0);
    report("cputime", unsafe { raw::clock_time_get(2, 1, &mut a) });
    report("bad_clock", unsafe { raw::clock_time_get(9, 1, &mut a) });
    println!("clocks ok");
}

fn random() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    unsafe {
        assert_eq!(raw::random_get(a.as_mut_ptr(), 32), 0);
        assert_eq!(raw::random_get(b.as_mut_ptr(), 32), 0);
    }
    assert_ne!(a, b);
    assert!(a.iter().any(|&x| x != 0));
    println!("random ok");
}

/// A clock subscription: relative `timeout` ns (or absolute with `abs`).
fn clock_sub(userdata: u64, id: u32, timeout: u64, abs: bool) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = 0;
    s[16..20].copy_from_slice(&id.to_le_bytes());
    s[24..32].copy_from_slice(&timeout.to_le_bytes());
    s[40..42].copy_from_slice(&(abs as u16).to_le_bytes());
    s
}

fn fd_sub(userdata: u64, read: bool, fd: u32) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = if read { 1 } else { 2 };
    s[16..20].copy_from_slice(&fd.to_le_bytes());
    s
}

fn poll_raw(subs: &[[u8; 48]]) -> Result<Vec<(u64, u16, u8)>, i32> {
    let flat: Vec<u8> = subs.iter().flatten().copied().collect();
    let mut events = vec![0u8; 32 * subs.len().max(1)];
    let mut n = 0usize;
    let e = unsafe { raw::poll_oneoff(flat.as_ptr(), events.as_mut_ptr(), subs.len(), &mut n) };
    if e != 0 {
        return Err(e);
    }
    Ok((0..n)
        .map(|i| {
            let ev = &events[i * 32..i * 32 + 32];
            (
                u64::from_le_bytes(ev[0..8].try_into().unwrap()),
                u16::from_le_bytes(ev[8..10].try_into().unwrap()),
                ev[10],
            )
        })
        .collect())
}

fn poll() {
    let t = Instant::now();
    let ev = poll_raw(&[clock_sub(1, 1, 20_000_000, false), clock_sub(2, 1, 10_000_000_000, false)]).unwrap();
    assert_eq!(ev, [(1, 0, 0)]);
    assert!(t.elapsed() >= Duration::from_millis(20));
    println!("poll relative ok");
    let mut now = 0;
    unsafe { raw::clock_time_get(1, 1, &mut now) };
    let ev = poll_raw(&[clock_sub(3, 1, now + 15_000_000, true)]).unwrap();
    assert_eq!(ev, [(3, 0, 0)]);
    let mut later = 0;
    unsafe { raw::clock_time_get(1, 1, &mut later) };
    assert!(later >= now + 15_000_000);
    println!("poll absolute ok");
    let ev = poll_raw(&[clock_sub(4, 0, 5_000_000, false)]).unwrap();
    assert_eq!(ev, [(4, 0, 0)]);
    println!("poll realtime ok");
    let ev = poll_raw(&[clock_sub(5, 1, 10_000_000_000, false), fd_sub(6, false, 1)]).unwrap();
    assert_eq!(ev, [(6, 0, 2)]);
    println!("poll stdout writable ok");
    report("poll_empty", code(poll_raw(&[])));
    report("poll_badf", code(poll_raw(&[fd_sub(7, true, 99)])));
    report("poll_cputime", code(poll_raw(&[clock_sub(8, 2, 1, false)])));
}

fn poll_stdin() {
    let t = Instant::now();
    let ev = poll_raw(&[clock_sub(1, 1, 20_000_000_000, false), fd_sub(7, true, 0)]).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].0, ev[0].2), (7, 1));
    let data = raw::read(0, 100).unwrap();
    println!("poll_stdin got {:?} after {}ms", String::from_utf8_lossy(&data), t.elapsed().as_millis() / 100 * 100);
    // Timeout wins when stdin stays quiet.
    let ev = poll_raw(&[clock_sub(2, 1, 30_000_000, false), fd_sub(8, true, 0)]).unwrap();
    println!("poll_stdin then {:?}", ev.iter().map(|e| e.0).collect::<Vec<_>>());
}

fn raw_calls(dir: &str) {
    unsafe {
        report("proc_raise", raw::proc_raise(6));
        report("sched_yield", raw::sched_yield());
        let mut out = 0i32;
        let mut n = 0usize;
        let mut fl = 0u16;
        let iov = raw::Iovec { buf: std::ptr::null(), len: 0 };
        report("sock_accept", raw::sock_accept(3, 0, &mut out));
        report("sock_recv", raw::sock_recv(0, &iov, 1, 0, &mut n, &mut fl));
        report("sock_send", raw::sock_send(1, &iov, 1, 0, &mut n));
        report("sock_shutdown", raw::sock_shutdown(99, 2));

        let mut pre = [0u8; 8];
        report("prestat_get", raw::fd_prestat_get(3, pre.as_mut_ptr()));
        let len = u32::from_le_bytes(pre[4..8].try_into().unwrap()) as usize;
        let mut name = vec![0u8; len];
        report("prestat_dir_name", raw::fd_prestat_dir_name(3, name.as_mut_ptr(), len));
        println!("prestat_name {}", String::from_utf8_lossy(&name));
        report("prestat_dir_name_short", raw::fd_prestat_dir_name(3, name.as_mut_ptr(), 2));
        report("prestat_get_stdout", raw::fd_prestat_get(1, pre.as_mut_ptr()));
        report("prestat_get_bad", raw::fd_prestat_get(99, pre.as_mut_ptr()));

        let mut st = [0u8; 24];
        report("fdstat_stdout", raw::fd_fdstat_get(1, st.as_mut_ptr()));
        let rights = u64::from_le_bytes(st[8..16].try_into().unwrap());
        println!("stdout rights_write={}", rights & (1 << 6) != 0);
        let mut pos = 0u64;
        report("seek_stdout", raw::fd_seek(1, 0, 0, &mut pos));
        report("tell_stdin", raw::fd_tell(0, &mut pos));
        report("read_stdout", code(raw::read(1, 4)));
        report("write_stdin", code(raw::write(0, b"x")));
        report("close_bad", raw::close(99));

        let d = dir_fd(dir);
        let fd = raw::open(d, false, "raw.bin", raw::O_CREAT, raw::RIGHT_FD_READ | raw::RIGHT_FD_WRITE).unwrap();
        report("advise", raw::fd_advise(fd, 0, 0, 1));
        report("advise_bad", raw::fd_advise(fd, 0, 0, 9));
        report("allocate", raw::fd_allocate(fd, 0, 4096));
        let mut fst = [0u8; 64];
        raw::fd_filestat_get(fd, fst.as_mut_ptr());
        println!("allocated_size {}", u64::from_le_bytes(fst[32..40].try_into().unwrap()));
        report("sync", raw::fd_sync(fd));
        report("datasync", raw::fd_datasync(fd));
        report("set_flags_append", raw::fd_fdstat_set_flags(fd, 1));
        raw::fd_fdstat_get(fd, st.as_mut_ptr());
        println!("flags {}", u16::from_le_bytes([st[2], st[3]]));
        report("set_flags_sync", raw::fd_fdstat_set_flags(fd, 16));
        report("set_flags_stdout", raw::fd_fdstat_set_flags(1, 0));
        report("set_rights", raw::fd_fdstat_set_rights(fd, 0, 0));
        report("set_times_both", raw::fd_filestat_set_times(fd, 0, 0, 1 | 2));
        report("set_times_now", raw::fd_filestat_set_times(fd, 0, 0, 2 | 8));
        report("renumber_closed_dest", raw::fd_renumber(fd, 50));
        let to = raw::open(d, false, "raw2.bin", raw::O_CREAT, raw::RIGHT_FD_READ).unwrap();
        report("renumber", raw::fd_renumber(fd, to));
        report("write_renumbered", code(raw::write(to, b"tail")));
        raw::fd_filestat_get(to, fst.as_mut_ptr());
        println!("size_after_append {}", u64::from_le_bytes(fst[32..40].try_into().unwrap()));
        report("close_old", raw::close(fd));
        report("renumber_bad", raw::fd_renumber(99, to));
        report("path_open_on_file", code(raw::open(to, false, "x", 0, raw::RIGHT_FD_READ)));
        report("readdir_file", raw::fd_readdir(to, pre.as_mut_ptr(), 8, 0, &mut n));
        report("read_dir_fd", code(raw::read(d, 4)));
        report("open_dir_creat", code(raw::open(d, false, "newd", raw::O_DIRECTORY | raw::O_CREAT, raw::RIGHT_FD_READ)));
        report("open_missing", code(raw::open(d, false, "missing", 0, raw::RIGHT_FD_READ)));
        report("open_file_as_dir", code(raw::open(d, false, "raw.bin", raw::O_DIRECTORY, raw::RIGHT_FD_READ)));
        report("open_excl_exists", code(raw::open(d, false, "raw.bin", raw::O_CREAT | raw::O_EXCL, raw::RIGHT_FD_WRITE)));
        report("close_renumbered", raw::close(to));
        let mut sfd = 0;
        // fdflags SYNC (16) and DSYNC (2) at open are kept and reported back.
        report("open_sync", raw::path_open(d, 0, "raw.bin".as_ptr(), 7, 0, raw::RIGHT_FD_WRITE, 0, 16 | 2, &mut sfd));
        raw::fd_fdstat_get(sfd, st.as_mut_ptr());
        println!("sync_flags {}", u16::from_le_bytes([st[2], st[3]]));
        raw::close(sfd);
        report("pread_stdin", raw::fd_pread(0, &iov, 1, 0, &mut n));
        report("pwrite_stdout", raw::fd_pwrite(1, &iov, 1, 0, &mut n));
        report("bad_utf8_path", {
            let p = [0xffu8, 0xfe];
            let mut o = 0;
            raw::path_open(d, 0, p.as_ptr(), 2, 0, 2, 2, 0, &mut o)
        });
    }
}
