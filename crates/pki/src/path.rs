//! Path building and validation (RFC 5280 §6.1, RFC 4158 style depth-first search).
//!
//! The search starts at the end-entity certificate and, at each step, first tries the
//! trust anchors whose subject is the current certificate's issuer, then every supplied
//! intermediate with that subject (in the order given, duplicates removed, never one
//! already on the path). A candidate that fails a check is skipped and the next one is
//! tried, so cross-signed chains and extra certificates work.
//!
//! The work is bounded by budgets, each reported by its own error when it runs out
//! (which aborts the search):
//! - the path holds at most `max_depth` certificates ([`Error::DepthExceeded`] when a
//!   candidate would go beyond: that candidate is skipped, the search goes on);
//! - the search verifies at most `max_signature_checks` signatures
//!   ([`Error::BudgetExceeded`]);
//! - the signature checks cost at most `max_signature_work` units
//!   ([`Error::SignatureWorkExceeded`]): each check is charged what it really costs,
//!   the RSA public operation by the key's size and exponent
//!   ([`RsaPublicKey::public_op_cost`]) or a fixed cost per ECDSA curve, the set-up of
//!   each key the first time it is used ([`RsaPublicKey::setup_cost`], or a fixed cost
//!   for an EC point), and hashing the signed bytes (one unit per octet, once per
//!   certificate: every candidate issuer checks the same digest);
//! - name-constraint checks cost at most `max_name_constraint_work` units
//!   ([`Error::NameConstraintWorkExceeded`], see `constraints`).

use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
#[cfg(doc)]
use sanstls_crypto::rsa::RsaPublicKey;

use crate::Error;
use crate::algorithm::{parse_signature_algorithm, verify_signature};
use crate::anchors::TrustAnchor;
use crate::cert::{Cert, oid};
use crate::constraints::{self, Constraints};
use crate::key::PublicKey;
use crate::verify::VerifyOptions;

/// A path found: indices into the intermediates (leaf side first) and the anchor.
pub(crate) struct Found {
    pub(crate) intermediates: Vec<usize>,
    pub(crate) anchor: usize,
}

pub(crate) struct Builder<'p, 'a> {
    pub(crate) opts: &'p VerifyOptions,
    pub(crate) now: u64,
    pub(crate) purpose: ObjectIdentifier,
    pub(crate) anchors: &'p [TrustAnchor],
    pub(crate) pool: &'p [Cert<'a>],
    pub(crate) leaf: &'p Cert<'a>,
    sig_checks: u32,
    /// Signature work units left.
    sig_work: u64,
    /// Name-constraint work units left (a certificate full of names under a CA full of
    /// constraints must not cost unbounded time).
    nc_budget: u32,
    /// The verdict of [`Builder::check_issuer`] per pool certificate, once computed
    /// (it does not depend on the path).
    issuer_ok: Vec<Option<Result<(), Error>>>,
    best: Error,
}

/// Whether the extendedKeyUsage `eku` allows `purpose` (RFC 5280 §4.2.1.12). An absent
/// extension allows everything, except on the end-entity certificate when the options
/// require it (CA/B Forum BR §7.1.2.7.10: subscriber certificates MUST carry it).
pub(crate) fn check_eku(
    eku: Option<&[ObjectIdentifier]>,
    purpose: ObjectIdentifier,
    opts: &VerifyOptions,
    end_entity: bool,
) -> Result<(), Error> {
    match eku {
        None if end_entity && opts.require_eku => Err(Error::InvalidExtendedKeyUsage),
        None => Ok(()),
        Some(list) => {
            if list.contains(&purpose) || (opts.allow_any_eku && list.contains(&oid::ANY_EKU)) {
                Ok(())
            } else {
                Err(Error::InvalidExtendedKeyUsage)
            }
        }
    }
}

/// The RSA key size rule. EC keys (P-256 and P-384, the only curves parsed) pass.
pub(crate) fn check_key_size(key: &PublicKey, opts: &VerifyOptions) -> Result<(), Error> {
    match key
        .as_rsa()
        .map(sanstls_crypto::rsa::RsaPublicKey::modulus_bits)
    {
        Some(bits) if bits < opts.min_rsa_bits => Err(Error::WeakKey { bits }),
        _ => Ok(()),
    }
}

impl<'p, 'a> Builder<'p, 'a> {
    pub(crate) fn new(
        opts: &'p VerifyOptions,
        now: u64,
        purpose: ObjectIdentifier,
        anchors: &'p [TrustAnchor],
        pool: &'p [Cert<'a>],
        leaf: &'p Cert<'a>,
    ) -> Self {
        Builder {
            opts,
            now,
            purpose,
            anchors,
            pool,
            leaf,
            sig_checks: 0,
            sig_work: opts.max_signature_work,
            nc_budget: opts.max_name_constraint_work,
            issuer_ok: alloc::vec![None; pool.len()],
            best: Error::UnknownIssuer,
        }
    }

    /// Take `units` from the signature work budget.
    fn charge(&mut self, units: u64) -> Result<(), Error> {
        self.sig_work = self
            .sig_work
            .checked_sub(units)
            .ok_or(Error::SignatureWorkExceeded)?;
        Ok(())
    }

    /// The key of a certificate, charging its set-up the first time it is parsed.
    fn cert_key(&mut self, cert: &'p Cert<'a>) -> Result<Result<&'p PublicKey, Error>, Error> {
        let fresh = !cert.key_parsed();
        let key = cert.public_key();
        if fresh {
            // Parsing fails before the costly set-up when the key is refused; the
            // decoding itself is charged by length.
            let units = key.map_or(cert.spki.len() as u64, PublicKey::setup_cost);
            self.charge(units)?;
        }
        Ok(key)
    }

    /// Find a valid path, or the most specific reason none exists.
    pub(crate) fn build(mut self) -> Result<Found, Error> {
        let mut path = Vec::new();
        match self.extend(&mut path)? {
            Some(anchor) => Ok(Found {
                intermediates: path,
                anchor,
            }),
            None => Err(self.best),
        }
    }

    fn record(&mut self, e: Error) {
        if e.rank() > self.best.rank() {
            self.best = e;
        }
    }

    fn cert_at(&self, path: &[usize], position: usize) -> &'p Cert<'a> {
        if position == 0 {
            self.leaf
        } else {
            &self.pool[path[position - 1]]
        }
    }

    /// Verify `child`'s signature with `key`, within the budgets. `Err` from the outer
    /// result is fatal (a budget exhausted); the inner result is this candidate's
    /// verdict.
    fn check_signature(
        &mut self,
        child: &Cert<'_>,
        key: Result<&PublicKey, Error>,
    ) -> Result<Result<(), Error>, Error> {
        let alg = match parse_signature_algorithm(child.sig_alg) {
            Ok(alg) => alg,
            Err(e) => return Ok(Err(e)),
        };
        let key = match key.and_then(|k| check_key_size(k, self.opts).map(|()| k)) {
            Ok(k) => k,
            Err(e) => return Ok(Err(e)),
        };
        if alg.hash() == sanstls_crypto::hash::HashAlgorithm::Sha1 && !self.opts.allow_sha1 {
            return Ok(Err(Error::Sha1Refused));
        }
        // An algorithm for another key type (ECDSA under an RSA key, or the reverse):
        // this key did not sign, and nothing is spent finding that out.
        if !alg.fits(key) {
            return Ok(Err(Error::BadSignature));
        }
        if self.sig_checks >= self.opts.max_signature_checks {
            return Err(Error::BudgetExceeded);
        }
        self.sig_checks += 1;
        // Charge the public-key operation before doing it, and the hash when it is
        // computed.
        self.charge(key.verify_cost())?;
        let (digest, fresh) = match child.tbs_digest(alg.hash()) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        if fresh {
            self.charge(child.tbs.len() as u64)?;
        }
        Ok(verify_signature(
            key,
            alg,
            digest.as_slice(),
            child.signature,
            self.opts.allow_sha1,
        ))
    }

    /// Checks on a certificate about to be used as an issuer (RFC 5280 §6.1.4 (k), (n),
    /// §6.1.3 (a)), plus extendedKeyUsage chaining and unknown critical extensions.
    fn check_issuer(&self, ca: &Cert<'_>) -> Result<(), Error> {
        if ca.unknown_critical {
            return Err(Error::UnknownCriticalExtension);
        }
        // RFC 5280 §4.2.1.9: a CA's basicConstraints MUST be present, critical, with cA.
        if !ca.is_ca() || !ca.basic_critical {
            return Err(Error::IssuerNotCa);
        }
        if ca.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
            return Err(Error::IssuerLacksKeyCertSign);
        }
        ca.check_validity(self.now)?;
        check_eku(ca.eku.as_deref(), self.purpose, self.opts, false)
    }

    /// The issuer checks of pool certificate `i`, computed once.
    fn pool_issuer_ok(&mut self, i: usize) -> Result<(), Error> {
        if let Some(v) = self.issuer_ok[i] {
            return v;
        }
        let v = self.check_issuer(&self.pool[i]);
        self.issuer_ok[i] = Some(v);
        v
    }

    /// Checks on a trust anchor about to be used: it may issue, it is valid now, and
    /// its extendedKeyUsage (if any) allows the purpose.
    fn check_anchor(&self, anchor: &TrustAnchor) -> Result<(), Error> {
        anchor.usable()?;
        anchor.check_validity(self.now)?;
        check_eku(anchor.eku(), self.purpose, self.opts, false)
    }

    /// Depth-first search from the last certificate on `path`. `Ok(Some(anchor))` when a
    /// valid path was completed (left in `path`), `Ok(None)` when every candidate
    /// failed (reasons recorded), `Err` when a budget ran out.
    fn extend(&mut self, path: &mut Vec<usize>) -> Result<Option<usize>, Error> {
        let child = self.cert_at(path, path.len());
        for (ai, anchor) in self.anchors.iter().enumerate() {
            if anchor.subject() != child.issuer {
                continue;
            }
            // The signature first (unlike for intermediates, whose checks are cheap
            // filters against what a peer sends): an anchor that did not sign the
            // certificate is not its issuer, whatever else is wrong with it.
            match self.check_signature(child, anchor.public_key())? {
                Ok(()) => {}
                Err(e) => {
                    self.record(e);
                    continue;
                }
            }
            if let Err(e) = self.check_anchor(anchor) {
                self.record(e);
                continue;
            }
            match self.check_path(path, Some(anchor)) {
                Err(e) if e.is_budget() => return Err(e),
                Ok(()) => return Ok(Some(ai)),
                Err(e) => self.record(e),
            }
        }
        for (i, cand) in self.pool.iter().enumerate() {
            if cand.subject != child.issuer {
                continue;
            }
            // No cycles: never reuse a certificate (or one with the same name and key).
            let seen = |c: &Cert<'_>| c.subject == cand.subject && c.spki == cand.spki;
            if seen(self.leaf) || path.iter().any(|&j| seen(&self.pool[j])) {
                continue;
            }
            // Leaf + intermediates + the new one + an anchor.
            if path.len() + 3 > self.opts.max_depth {
                self.record(Error::DepthExceeded);
                continue;
            }
            if let Err(e) = self.pool_issuer_ok(i) {
                self.record(e);
                continue;
            }
            let key = self.cert_key(cand)?;
            if let Err(e) = self.check_signature(child, key)? {
                self.record(e);
                continue;
            }
            path.push(i);
            if let Err(e) = self.check_path(path, None) {
                if e.is_budget() {
                    return Err(e);
                }
                // The new CA's constraints already fail for the certificates below it:
                // nothing above can repair that.
                self.record(e);
                path.pop();
                continue;
            }
            if let Some(anchor) = self.extend(path)? {
                return Ok(Some(anchor));
            }
            path.pop();
        }
        Ok(None)
    }

    /// Constraints that involve several certificates: pathLenConstraint (RFC 5280
    /// §6.1.4 (l), (m)) and name constraints (§6.1.3 (b), (c)) of the certificate just
    /// added on top of `path` or, when given, of the anchor above it, applied to every
    /// certificate below. Constraints of lower CAs were checked when they were added
    /// (the certificates below them do not change), so each step checks one CA.
    fn check_path(&mut self, path: &[usize], anchor: Option<&TrustAnchor>) -> Result<(), Error> {
        let n = path.len();
        match anchor {
            Some(a) => {
                self.check_constraints_below(path, n + 1, a.path_len(), a.name_constraints())
            }
            None if n > 0 => {
                let ca = self.cert_at(path, n);
                self.check_constraints_below(
                    path,
                    n,
                    ca.basic.and_then(|b| b.1),
                    ca.name_constraints.as_ref(),
                )
            }
            None => Ok(()),
        }
    }

    /// Apply a CA's pathLenConstraint and name constraints to the certificates below
    /// position `k` (the leaf is position 0).
    fn check_constraints_below(
        &mut self,
        path: &[usize],
        k: usize,
        path_len: Option<u8>,
        nc: Option<&Constraints>,
    ) -> Result<(), Error> {
        if let Some(max) = path_len {
            // Non-self-issued intermediates between this CA and the leaf.
            let below = (1..k)
                .filter(|&j| !self.cert_at(path, j).is_self_issued())
                .count();
            if below > usize::from(max) {
                return Err(Error::PathLenExceeded);
            }
        }
        if let Some(nc) = nc {
            for j in 0..k {
                let c = self.cert_at(path, j);
                // §6.1.3 (b): self-issued intermediates are exempt.
                if j > 0 && c.is_self_issued() {
                    continue;
                }
                constraints::check(nc, c, &mut self.nc_budget)?;
            }
        }
        Ok(())
    }
}
