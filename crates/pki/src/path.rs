//! Path building and validation (RFC 5280 §6.1, RFC 4158 style depth-first search).
//!
//! The search starts at the end-entity certificate and, at each step, first tries the
//! trust anchors whose subject is the current certificate's issuer, then every supplied
//! intermediate with that subject (in the order given, duplicates removed, never one
//! already on the path). A candidate that fails a check is skipped and the next one is
//! tried, so cross-signed chains and extra certificates work. The work is bounded: the
//! path holds at most `max_depth` certificates, and the whole search verifies at most
//! `max_signature_checks` signatures; exhausting that budget aborts the search.

use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;
use sanstls_crypto::rsa::RsaPublicKey;

use crate::Error;
use crate::algorithm::{parse_signature_algorithm, verify_signature};
use crate::anchors::TrustAnchor;
use crate::cert::{Cert, oid};
use crate::constraints;
use crate::verify::VerifyOptions;

/// The most name-to-subtree comparisons one validation may make.
const MAX_NAME_CONSTRAINT_CHECKS: u32 = 1 << 18;

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
    /// Name-to-subtree comparisons left (a certificate full of names under a CA full of
    /// constraints must not cost unbounded time).
    nc_budget: u32,
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

/// The RSA key size rule.
pub(crate) fn check_key_size(key: &RsaPublicKey, opts: &VerifyOptions) -> Result<(), Error> {
    let bits = key.modulus_bits();
    if bits < opts.min_rsa_bits {
        Err(Error::WeakKey { bits })
    } else {
        Ok(())
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
            nc_budget: MAX_NAME_CONSTRAINT_CHECKS,
            best: Error::UnknownIssuer,
        }
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

    /// Verify `child`'s signature with `key`, within the budget. `Err` from the outer
    /// result is fatal (budget exhausted); the inner result is this candidate's verdict.
    fn check_signature(
        &mut self,
        child: &Cert<'_>,
        key: Result<&RsaPublicKey, Error>,
    ) -> Result<Result<(), Error>, Error> {
        let verdict = (|| {
            let alg = parse_signature_algorithm(child.sig_alg)?;
            let key = key?;
            check_key_size(key, self.opts)?;
            if self.sig_checks >= self.opts.max_signature_checks {
                return Err(Error::BudgetExceeded);
            }
            self.sig_checks += 1;
            verify_signature(key, alg, child.tbs, child.signature, self.opts.allow_sha1)
        })();
        match verdict {
            Err(Error::BudgetExceeded) => Err(Error::BudgetExceeded),
            v => Ok(v),
        }
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

    /// Depth-first search from the last certificate on `path`. `Ok(Some(anchor))` when a
    /// valid path was completed (left in `path`), `Ok(None)` when every candidate
    /// failed (reasons recorded), `Err` when the budget ran out.
    fn extend(&mut self, path: &mut Vec<usize>) -> Result<Option<usize>, Error> {
        let child = self.cert_at(path, path.len());
        for (ai, anchor) in self.anchors.iter().enumerate() {
            if anchor.subject() != child.issuer {
                continue;
            }
            if let Err(e) = anchor.usable().and(anchor.check_validity(self.now)) {
                self.record(e);
                continue;
            }
            match self.check_signature(child, anchor.key())? {
                Ok(()) => {}
                Err(e) => {
                    self.record(e);
                    continue;
                }
            }
            match self.check_path(path, Some(anchor)) {
                Err(Error::BudgetExceeded) => return Err(Error::BudgetExceeded),
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
            if let Err(e) = self.check_issuer(cand) {
                self.record(e);
                continue;
            }
            if let Err(e) = self.check_signature(child, cand.public_key())? {
                self.record(e);
                continue;
            }
            path.push(i);
            if let Err(e) = self.check_path(path, None) {
                if e == Error::BudgetExceeded {
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
        nc: Option<&x509_cert::ext::pkix::NameConstraints>,
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
