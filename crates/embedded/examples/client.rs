//! An HTTPS request over any embedded-io transport.
//!
//! [`fetch`] is what device firmware would contain: it knows nothing but
//! `embedded_io::{Read, Write}`, so the same code runs over an embedded TCP stack's
//! socket (embassy-net, smoltcp), a modem's UART, or, as here on a host, a std
//! `TcpStream` wrapped in `embedded_io_adapters::std::FromStd`.
//!
//! Try it against OpenSSL's test server, from the repository root:
//!
//! ```text
//! openssl s_server -accept 127.0.0.1:4433 -www \
//!     -cert testdata/server-rsa2048.cert.pem -key testdata/server-rsa2048.rsa.pem \
//!     -cert_chain testdata/ca-int.cert.pem
//! cargo run -p sanstls-embedded --example client -- 127.0.0.1:4433 localhost testdata/ca-root.cert.pem
//! ```

use std::net::TcpStream;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use embedded_io::{Read, Write};
use embedded_io_adapters::std::FromStd;
use sanstls_embedded::{
    ClientConfig, CryptoRng, Error, ServerName, TlsConnection, TrustAnchors, UnixTime,
};

/// The device side: sends `GET /` to `host` over `transport` and passes the response
/// to `on_data` piece by piece; returns how many bytes came.
///
/// `now` is the device's idea of the time (a real-time clock, or at least the
/// firmware's build date: it only has to fall inside the server certificate's validity
/// period). `rng` is the device's hardware random number generator behind
/// `rand_core::CryptoRng`.
fn fetch<T: Read + Write>(
    transport: T,
    config: Arc<ClientConfig>,
    host: ServerName,
    now: UnixTime,
    rng: &mut dyn CryptoRng,
    mut on_data: impl FnMut(&[u8]),
) -> Result<usize, Error<T::Error>> {
    let mut tls = TlsConnection::client(transport, config, host, now, rng)?;
    // The handshake runs on the first write; a certificate the trust anchors do not
    // accept fails here with Error::Tls(sanstls_proto::Error::Certificate(_)).
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    tls.flush()?;
    // A small buffer is fine: the rest of a record waits inside the connection.
    let mut buf = [0u8; 256];
    let mut total = 0;
    loop {
        match tls.read(&mut buf) {
            // Ok(0): the server's close_notify, the response is complete. Truncated:
            // the socket closed without one, as HTTP/1.0 servers often do; the data
            // before is authentic, only its completeness is not proven.
            Ok(0) | Err(Error::Truncated) => break,
            Ok(n) => {
                on_data(&buf[..n]);
                total += n;
            }
            Err(e) => return Err(e),
        }
    }
    tls.close()?;
    Ok(total)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:4433".into());
    let name = args.next().unwrap_or_else(|| "localhost".into());
    let ca = args
        .next()
        .unwrap_or_else(|| "testdata/ca-root.cert.pem".into());

    // Once, at start-up: trust anchors (on a device, a PEM or DER bundle compiled in
    // with include_str!/include_bytes!) and the configuration, shared by connections.
    let pem = std::fs::read_to_string(&ca).unwrap_or_else(|e| {
        eprintln!("cannot read the CA bundle {ca}: {e} (pass its path as the third argument)");
        std::process::exit(2);
    });
    let anchors = TrustAnchors::from_pem_bundle(&pem).unwrap_or_else(|e| {
        eprintln!("{ca} holds no usable CA certificate: {e}");
        std::process::exit(2);
    });
    let config = Arc::new(
        ClientConfig::builder()
            .trust_anchors(anchors)
            .build()
            .expect("a client config with trust anchors"),
    );
    let host = ServerName::try_from(name.as_str()).unwrap_or_else(|e| {
        eprintln!("{name:?} is not a DNS name or IP address: {e}");
        std::process::exit(2);
    });

    let sock = TcpStream::connect(&addr).unwrap_or_else(|e| {
        eprintln!("cannot connect to {addr}: {e} (is the server running?)");
        std::process::exit(1);
    });
    let now = UnixTime::from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970"),
    );
    let mut rng = sanstls_proto::os_rng();
    let result = fetch(FromStd::new(sock), config, host, now, &mut rng, |data| {
        print!("{}", String::from_utf8_lossy(data));
    });
    match result {
        Ok(n) => eprintln!("\n[{n} bytes over TLS from {addr}]"),
        Err(e) => {
            eprintln!("request to {addr} failed: {e}");
            std::process::exit(1);
        }
    }
}
