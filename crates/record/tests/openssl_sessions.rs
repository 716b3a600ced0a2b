//! sanstls-keys and sanstls-record against real OpenSSL sessions.
//!
//! For each configuration, `openssl s_server` and `openssl s_client` (TLS 1.2, one suite,
//! encrypt-then-MAC and extended master secret on or off, optionally with a client
//! certificate) talk through a TCP relay on 127.0.0.1 that records every byte in order.
//! Known application data is written to both sides' stdin. From the capture, the client's
//! key log and the server's RSA key, the test then:
//!
//! - reads the randoms, suite and extensions from ClientHello/ServerHello;
//! - for RSA key exchange, decrypts the premaster (`openssl pkeyutl`) and checks that
//!   sanstls-keys derives the master secret OpenSSL logged, classic or extended (the EMS
//!   session hash comes from the sanstls transcript);
//! - derives the key block, opens every protected record with sanstls-record (through
//!   the sanstls deframer, fed in the chunks TCP delivered), and compares the application
//!   data with what was sent, in both directions;
//! - checks both Finished messages against verify_data over the sanstls transcript;
//! - with a client certificate, hashes the transcript (kept buffered) under the
//!   CertificateVerify's hash and has `openssl pkeyutl -verify` check the client's
//!   signature over it.
//!
//! OpenSSL is required: the test fails, loudly, when `openssl` cannot be run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use sanstls_crypto::hash::{HashAlgorithm, Output};
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_keys::transcript::Transcript;
use sanstls_keys::{MasterSecret, Side};
use sanstls_record::{CbcMode, Deframer, MAX_RECORD_LEN, Opener};
use sanstls_wire::enums::{CipherSuite, ContentType, KeyExchange};

const CLIENT_TO_SERVER: usize = 0;
const SERVER_TO_CLIENT: usize = 1;

fn openssl() -> &'static str {
    let bin = if Path::new("/usr/bin/openssl").exists() {
        "/usr/bin/openssl"
    } else {
        "openssl"
    };
    let ok = Command::new(bin)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"OpenSSL 3"));
    assert!(
        ok,
        "OpenSSL 3 (`openssl` binary) is required for this test and was not found; \
         install it (CI does: apt-get install openssl)"
    );
    bin
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

/// A child process killed (and reaped) on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sanstls-record-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn drain<R: Read + Send + 'static>(r: R) {
    thread::spawn(move || {
        let mut r = r;
        let _ = std::io::copy(&mut r, &mut std::io::sink());
    });
}

#[derive(Clone, Copy, Debug)]
struct Config {
    cipher: &'static str,
    suite: CipherSuite,
    etm: bool,
    ems: bool,
    client_auth: bool,
}

type Log = Arc<Mutex<Vec<(usize, Vec<u8>)>>>;

/// Forward `from` to `to`, appending every chunk to the shared log before forwarding it
/// (so the log order respects causality across both directions).
fn pump(mut from: TcpStream, mut to: TcpStream, dir: usize, log: &Log) {
    let mut buf = [0u8; 4096];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                log.lock().unwrap().push((dir, buf[..n].to_vec()));
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// Deterministic data from an alphabet that s_server/s_client never read as commands.
fn data(len: usize, salt: usize) -> Vec<u8> {
    let alphabet = b"0123456789abcdef";
    (0..len)
        .map(|i| {
            if i % 61 == 60 {
                b'\n'
            } else {
                alphabet[(i * 7 + salt) % 16]
            }
        })
        .collect()
}

#[derive(Default)]
struct Analysis {
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    suite: Option<&'static SuiteInfo>,
    etm: bool,
    ems: bool,
    encrypted_premaster: Option<Vec<u8>>,
    session_hash: Option<Output>,
    master_from_log: Option<[u8; 48]>,
    finished_ok: [bool; 2],
    /// (transcript hash, verify_data) of each side's Finished.
    finished: [Option<(Output, Vec<u8>)>; 2],
    app_data: [Vec<u8>; 2],
    alerts: [Vec<[u8; 2]>; 2],
    records_opened: usize,
    /// (signature scheme, signature, transcript hash under its hash)
    certificate_verify: Option<(u16, Vec<u8>, Output)>,
}

fn parse_keylog(text: &str, client_random: &[u8; 32]) -> Option<[u8; 48]> {
    let want = hex::encode(client_random);
    text.lines().find_map(|l| {
        let mut parts = l.split_whitespace();
        if parts.next()? != "CLIENT_RANDOM" || parts.next()? != want {
            return None;
        }
        hex::decode(parts.next()?).ok()?.try_into().ok()
    })
}

/// ServerHello body: version(2) random(32) session_id<0..32> suite(2) compression(1)
/// extensions<0..2^16-1>.
fn parse_server_hello(body: &[u8]) -> ([u8; 32], CipherSuite, bool, bool) {
    let random: [u8; 32] = body[2..34].try_into().unwrap();
    let sid = usize::from(body[34]);
    let at = 35 + sid;
    let suite = CipherSuite(u16::from_be_bytes([body[at], body[at + 1]]));
    let mut ext = &body[at + 3..];
    let (mut etm, mut ems) = (false, false);
    if ext.len() >= 2 {
        let total = usize::from(u16::from_be_bytes([ext[0], ext[1]]));
        ext = &ext[2..2 + total];
        while ext.len() >= 4 {
            let typ = u16::from_be_bytes([ext[0], ext[1]]);
            let len = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
            etm |= typ == 0x0016;
            ems |= typ == 0x0017;
            ext = &ext[4 + len..];
        }
    }
    (random, suite, etm, ems)
}

fn sig_hash(scheme: u16) -> HashAlgorithm {
    match scheme & 0xff00 {
        0x0200 => HashAlgorithm::Sha1,
        0x0400 => HashAlgorithm::Sha256,
        0x0500 => HashAlgorithm::Sha384,
        0x0600 => HashAlgorithm::Sha512,
        _ => match scheme {
            0x0804 => HashAlgorithm::Sha256,
            0x0805 => HashAlgorithm::Sha384,
            0x0806 => HashAlgorithm::Sha512,
            _ => panic!("unexpected signature scheme {scheme:#06x}"),
        },
    }
}

struct Dir {
    deframer: Deframer<Vec<u8>>,
    opener: Opener,
    hs: Vec<u8>,
}

/// Replay the capture through sanstls. `Err` describes what is missing or wrong.
fn analyze(log: &[(usize, Vec<u8>)], keylog: &str) -> Result<Analysis, String> {
    let mut a = Analysis::default();
    let mut transcript = Transcript::new();
    let mut master: Option<MasterSecret> = None;
    let mut dirs = [0, 1].map(|_| Dir {
        deframer: Deframer::new(vec![0u8; MAX_RECORD_LEN]),
        opener: Opener::null(),
        hs: Vec::new(),
    });
    for (dir, chunk) in log {
        let dir = *dir;
        let mut chunk = &chunk[..];
        while !chunk.is_empty() {
            let n = dirs[dir].deframer.push(chunk);
            chunk = &chunk[n..];
            loop {
                let d = &mut dirs[dir];
                let Some(rec) = d
                    .deframer
                    .next_record()
                    .map_err(|e| format!("deframe: {e}"))?
                else {
                    break;
                };
                let opened = d
                    .opener
                    .open_in_place(rec)
                    .map_err(|e| format!("open record (dir {dir}): {e}"))?;
                a.records_opened += 1;
                let payload = opened.payload.to_vec();
                match opened.content_type {
                    ContentType::CHANGE_CIPHER_SPEC => {
                        assert_eq!(payload, [1]);
                        let cr = a.client_random.ok_or("CCS before ClientHello")?;
                        let sr = a.server_random.ok_or("CCS before ServerHello")?;
                        let suite = a.suite.ok_or("no suite")?;
                        let ms = parse_keylog(keylog, &cr).ok_or("no key log line yet")?;
                        a.master_from_log = Some(ms);
                        let m = MasterSecret::from_bytes(suite.prf_hash, ms);
                        let kb = m.key_block(suite, &cr, &sr).map_err(|e| e.to_string())?;
                        let keys = if dir == CLIENT_TO_SERVER {
                            kb.client_write()
                        } else {
                            kb.server_write()
                        };
                        let mode = if a.etm {
                            CbcMode::EncryptThenMac
                        } else {
                            CbcMode::MacThenEncrypt
                        };
                        d.opener = Opener::cbc(&keys, mode).map_err(|e| e.to_string())?;
                        master = Some(m);
                    }
                    ContentType::HANDSHAKE => {
                        d.hs.extend_from_slice(&payload);
                        while d.hs.len() >= 4 {
                            let len = usize::from(d.hs[1]) << 16
                                | usize::from(d.hs[2]) << 8
                                | usize::from(d.hs[3]);
                            if d.hs.len() < 4 + len {
                                break;
                            }
                            let msg: Vec<u8> = d.hs.drain(..4 + len).collect();
                            let body = &msg[4..];
                            match msg[0] {
                                1 => a.client_random = Some(body[2..34].try_into().unwrap()),
                                2 => {
                                    let (sr, cs, etm, ems) = parse_server_hello(body);
                                    a.server_random = Some(sr);
                                    let s = suite::lookup(cs).ok_or("suite not in table")?;
                                    a.suite = Some(s);
                                    a.etm = etm;
                                    a.ems = ems;
                                    transcript.add(&msg);
                                    transcript.start_hash(s.prf_hash).unwrap();
                                    continue;
                                }
                                15 => {
                                    // CertificateVerify: the hash of everything before it,
                                    // under the signature's hash, from the kept buffer.
                                    let scheme = u16::from_be_bytes([body[0], body[1]]);
                                    let sig = body[4..].to_vec();
                                    let h = transcript
                                        .hash_with(sig_hash(scheme))
                                        .map_err(|e| e.to_string())?;
                                    a.certificate_verify = Some((scheme, sig, h));
                                }
                                16 => {
                                    if a.suite.map(|s| s.key_exchange) == Some(KeyExchange::Rsa) {
                                        a.encrypted_premaster = Some(body[2..].to_vec());
                                    }
                                    transcript.add(&msg);
                                    a.session_hash = Some(transcript.current_hash().unwrap());
                                    continue;
                                }
                                20 => {
                                    let side = if dir == CLIENT_TO_SERVER {
                                        Side::Client
                                    } else {
                                        Side::Server
                                    };
                                    let m = master.as_ref().ok_or("Finished before keys")?;
                                    let h = transcript.current_hash().unwrap();
                                    let want =
                                        m.verify_data(side, &h).map_err(|e| e.to_string())?;
                                    if body != want.as_bytes() {
                                        return Err(format!("{side:?} Finished mismatch"));
                                    }
                                    a.finished_ok[dir] = true;
                                    a.finished[dir] = Some((h, body.to_vec()));
                                }
                                _ => {}
                            }
                            transcript.add(&msg);
                        }
                    }
                    ContentType::APPLICATION_DATA => a.app_data[dir].extend_from_slice(&payload),
                    ContentType::ALERT => a.alerts[dir].push([payload[0], payload[1]]),
                    other => return Err(format!("unexpected content type {other:?}")),
                }
            }
        }
    }
    Ok(a)
}

fn pkeyutl(dir: &Path, args: &[&str], input: &[u8], extra: Option<(&str, &[u8])>) -> Vec<u8> {
    let inp = dir.join("pkeyutl.in");
    std::fs::write(&inp, input).unwrap();
    let mut cmd = Command::new(openssl());
    cmd.arg("pkeyutl").args(args).arg("-in").arg(&inp);
    if let Some((flag, bytes)) = extra {
        let p = dir.join("pkeyutl.extra");
        std::fs::write(&p, bytes).unwrap();
        cmd.arg(flag).arg(&p);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "openssl pkeyutl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn run_session(cfg: Config) {
    let started = Instant::now();
    let bin = openssl();
    let tmp = TempDir::new();
    let keylog = tmp.0.join("keylog.txt");
    let mut env: Vec<(&str, PathBuf)> = Vec::new();
    if !cfg.ems {
        let conf = tmp.0.join("no-ems.cnf");
        std::fs::write(
            &conf,
            "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\n\
             Options = -ExtendedMasterSecret\n",
        )
        .unwrap();
        env.push(("OPENSSL_CONF", conf));
    }

    let mut server = Command::new(bin);
    server
        .args([
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            "1",
            "-tls1_2",
        ])
        .args(["-cipher", cfg.cipher])
        .arg("-cert")
        .arg(testdata("server-rsa2048.cert.pem"))
        .arg("-key")
        .arg(testdata("server-rsa2048.rsa.pem"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !cfg.etm {
        server.arg("-no_etm");
    }
    if cfg.client_auth {
        server.args(["-verify", "1", "-CAfile"]);
        server.arg(testdata("ca-root.cert.pem"));
    }
    let mut server = Proc(server.spawn().expect("spawn openssl s_server"));
    drain(server.0.stderr.take().unwrap());
    let mut lines = BufReader::new(server.0.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        while lines.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(addr) = line.trim().strip_prefix("ACCEPT ") {
                let _ = tx.send(addr.to_string());
                break;
            }
            line.clear();
        }
        let _ = std::io::copy(&mut lines, &mut std::io::sink());
    });
    let server_addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("s_server did not print its ACCEPT line");

    // The relay.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let relay_addr = listener.local_addr().unwrap();
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    {
        let log = Arc::clone(&log);
        let server_addr = server_addr.clone();
        thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let Ok(upstream) = TcpStream::connect(&server_addr) else {
                return;
            };
            let (c2, u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            let l2 = Arc::clone(&log);
            thread::spawn(move || pump(c2, u2, CLIENT_TO_SERVER, &l2));
            pump(upstream, client, SERVER_TO_CLIENT, &log);
        });
    }

    let mut client = Command::new(bin);
    client
        .args(["s_client", "-tls1_2", "-nocommands", "-no_ign_eof"])
        .args(["-cipher", cfg.cipher])
        .arg("-connect")
        .arg(relay_addr.to_string())
        .arg("-keylogfile")
        .arg(&keylog)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !cfg.etm {
        client.arg("-no_etm");
    }
    if cfg.client_auth {
        client.arg("-cert").arg(testdata("client.cert.pem"));
        client.arg("-key").arg(testdata("client.rsa.pem"));
    }
    let mut client = Proc(client.spawn().expect("spawn openssl s_client"));
    drain(client.0.stdout.take().unwrap());
    drain(client.0.stderr.take().unwrap());

    let to_server = data(20_000, 1);
    let to_client = data(3_000, 2);
    let mut client_in = client.0.stdin.take().unwrap();
    client_in.write_all(&to_server).unwrap();
    let mut server_in = server.0.stdin.take().unwrap();
    server_in.write_all(&to_client).unwrap();

    // Replay the capture until everything sent has been opened, or give up.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last_err;
    loop {
        let snapshot = log.lock().unwrap().clone();
        let keylog_text = std::fs::read_to_string(&keylog).unwrap_or_default();
        match analyze(&snapshot, &keylog_text) {
            Ok(a)
                if a.app_data[CLIENT_TO_SERVER].len() >= to_server.len()
                    && a.app_data[SERVER_TO_CLIENT].len() >= to_client.len() =>
            {
                break;
            }
            Ok(a) => {
                last_err = format!(
                    "incomplete: {} / {} bytes",
                    a.app_data[0].len(),
                    a.app_data[1].len()
                );
            }
            Err(e) => last_err = e,
        }
        assert!(
            Instant::now() < deadline,
            "{cfg:?}: timed out; last state: {last_err}"
        );
        thread::sleep(Duration::from_millis(20));
    }

    // Close the client's stdin: it sends close_notify; wait for that record too.
    drop(client_in);
    let a = loop {
        let snapshot = log.lock().unwrap().clone();
        let keylog_text = std::fs::read_to_string(&keylog).unwrap();
        let a = analyze(&snapshot, &keylog_text).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
        if a.alerts[CLIENT_TO_SERVER].contains(&[1, 0]) {
            break a;
        }
        assert!(Instant::now() < deadline, "{cfg:?}: no close_notify");
        thread::sleep(Duration::from_millis(20));
    };
    drop(server_in);

    let suite = a.suite.unwrap();
    assert_eq!(suite.suite, cfg.suite, "{cfg:?}");
    assert_eq!(a.etm, cfg.etm, "{cfg:?}: encrypt_then_mac negotiation");
    assert_eq!(
        a.ems, cfg.ems,
        "{cfg:?}: extended_master_secret negotiation"
    );
    assert_eq!(a.app_data[CLIENT_TO_SERVER], to_server, "{cfg:?}");
    assert_eq!(a.app_data[SERVER_TO_CLIENT], to_client, "{cfg:?}");
    assert_eq!(a.finished_ok, [true, true], "{cfg:?}");
    // 20 000 bytes need at least two records.
    assert!(
        a.records_opened > 10,
        "{cfg:?}: {} records",
        a.records_opened
    );

    // The master secret itself, for RSA key exchange.
    if suite.key_exchange == KeyExchange::Rsa {
        let epms = a.encrypted_premaster.as_ref().unwrap();
        let key = testdata("server-rsa2048.rsa.pem");
        let pms = pkeyutl(
            &tmp.0,
            &[
                "-decrypt",
                "-inkey",
                key.to_str().unwrap(),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
            ],
            epms,
            None,
        );
        assert_eq!(pms.len(), 48);
        let ms = if a.ems {
            MasterSecret::derive_extended(suite.prf_hash, &pms, a.session_hash.as_ref().unwrap())
                .unwrap()
        } else {
            MasterSecret::derive(
                suite.prf_hash,
                &pms,
                &a.client_random.unwrap(),
                &a.server_random.unwrap(),
            )
            .unwrap()
        };
        assert_eq!(
            ms.secret_bytes(),
            &a.master_from_log.unwrap(),
            "{cfg:?}: master secret"
        );
        if std::env::var_os("SANSTLS_DUMP_VECTORS").is_some() {
            // Used once to record the constants of sanstls-keys' OpenSSL vectors.
            let (ch, cv) = a.finished[0].as_ref().unwrap();
            let (sh, sv) = a.finished[1].as_ref().unwrap();
            eprintln!(
                "{cfg:?}\npremaster {}\nclient_random {}\nserver_random {}\nsession_hash {}\n\
                 master {}\nclient_finished_hash {}\nclient_verify_data {}\n\
                 server_finished_hash {}\nserver_verify_data {}",
                hex::encode(&pms),
                hex::encode(a.client_random.unwrap()),
                hex::encode(a.server_random.unwrap()),
                hex::encode(a.session_hash.as_ref().unwrap()),
                hex::encode(a.master_from_log.unwrap()),
                hex::encode(ch),
                hex::encode(cv),
                hex::encode(sh),
                hex::encode(sv),
            );
        }
        let line = ms.key_log_line(&a.client_random.unwrap()).to_string();
        let logged = std::fs::read_to_string(&keylog).unwrap();
        assert!(logged.lines().any(|l| l == line), "{cfg:?}: key log line");
    }

    if cfg.client_auth {
        let (scheme, sig, hash) = a.certificate_verify.as_ref().expect("a CertificateVerify");
        let cert = testdata("client.cert.pem");
        let digest = match sig_hash(*scheme) {
            HashAlgorithm::Sha1 => "digest:sha1",
            HashAlgorithm::Sha256 => "digest:sha256",
            HashAlgorithm::Sha384 => "digest:sha384",
            _ => "digest:sha512",
        };
        let mut args = vec![
            "-verify",
            "-certin",
            "-inkey",
            cert.to_str().unwrap(),
            "-pkeyopt",
            digest,
        ];
        if scheme >> 8 == 0x08 {
            args.extend([
                "-pkeyopt",
                "rsa_padding_mode:pss",
                "-pkeyopt",
                "rsa_pss_saltlen:-1",
            ]);
        }
        let out = pkeyutl(&tmp.0, &args, hash.as_slice(), Some(("-sigfile", sig)));
        assert!(
            String::from_utf8_lossy(&out).contains("Signature Verified Successfully"),
            "{cfg:?}: CertificateVerify over the sanstls transcript hash"
        );
    }
    eprintln!(
        "{cfg:?}: ok, {} records, {:?}",
        a.records_opened,
        started.elapsed()
    );
}

#[test]
fn openssl_sessions() {
    let c = |cipher, suite, etm, ems, client_auth| Config {
        cipher,
        suite,
        etm,
        ems,
        client_auth,
    };
    let matrix = [
        c(
            "AES128-SHA",
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            true,
            true,
            false,
        ),
        c(
            "AES128-SHA",
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            false,
            false,
            false,
        ),
        c(
            "AES256-SHA",
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
            false,
            true,
            false,
        ),
        c(
            "AES128-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            true,
            false,
            false,
        ),
        c(
            "AES256-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
            true,
            false,
            false,
        ),
        c(
            "AES256-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
            false,
            true,
            true,
        ),
        c(
            "DHE-RSA-AES128-SHA",
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
            true,
            false,
            false,
        ),
        c(
            "DHE-RSA-AES128-SHA256",
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            true,
            true,
            false,
        ),
        c(
            "DHE-RSA-AES128-SHA256",
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            false,
            false,
            false,
        ),
        c(
            "DHE-RSA-AES256-SHA",
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            false,
            true,
            false,
        ),
        c(
            "DHE-RSA-AES256-SHA",
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            true,
            false,
            true,
        ),
        c(
            "DHE-RSA-AES256-SHA256",
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            true,
            true,
            false,
        ),
    ];
    // Two at a time: each session is mostly waiting on processes.
    for pair in matrix.chunks(2) {
        let handles: Vec<_> = pair
            .iter()
            .map(|&cfg| thread::spawn(move || run_session(cfg)))
            .collect();
        for h in handles {
            if let Err(e) = h.join() {
                std::panic::resume_unwind(e);
            }
        }
    }
}
