//! Whether a certificate names a host, outside path validation: for a server that wants
//! to know if the name a client asked for (SNI) is one of its own.

use crate::cert::Cert;
use crate::names::ServerName;
use crate::{Error, verify};

/// Whether the end-entity certificate `der` is valid for `name` by the same rules the
/// verifiers apply to a server's certificate (RFC 6125 §6.4: a subjectAltName dNSName
/// or iPAddress entry matches, wildcards as the left-most label only, no common-name
/// fallback). Nothing else about the certificate is checked. An error means `der` is
/// not a certificate this crate can read.
pub fn certificate_covers_name(der: &[u8], name: &ServerName) -> Result<bool, Error> {
    let cert = Cert::parse(der)?;
    Ok(verify::check_name(&cert, name).is_ok())
}
