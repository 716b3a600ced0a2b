#!/bin/sh
# rustc wrapper for the fuzz build (`cargo xtask fuzz` sets RUSTC_WRAPPER to it): compiles
# the arithmetic and cipher crates (RustCrypto's, and sanstls-crypto, which wraps them
# and holds the RSA and DH arithmetic) without libFuzzer's coverage instrumentation;
# AddressSanitizer and everything else stay as cargo-fuzz set them.
#
# Why: coverage inside constant-time bignum and field arithmetic tells the fuzzer nothing
# about the protocol (it cannot forge a signature or a MAC whatever it learns), and
# comparison tracing there made one RSA-2048 signature cost several milliseconds, three
# quarters of every proto_server execution. The crates where the parsing and the state
# machines live (sanstls-wire, -record, -pki, -proto, -keys, and the der/pkcs/x509
# crates) keep full instrumentation.
rustc="$1"
shift
case " $* " in
*" --crate-name sanstls_crypto "* | *" --crate-name crypto_bigint "* | *" --crate-name p256 "* | *" --crate-name p384 "* | \
*" --crate-name primeorder "* | *" --crate-name elliptic_curve "* | *" --crate-name ecdsa "* | \
*" --crate-name curve25519_dalek "* | *" --crate-name x25519_dalek "* | \
*" --crate-name sha1 "* | *" --crate-name sha2 "* | *" --crate-name hmac "* | \
*" --crate-name aes "* | *" --crate-name aes_gcm "* | *" --crate-name ghash "* | \
*" --crate-name polyval "* | *" --crate-name universal_hash "* | *" --crate-name chacha20 "* | \
*" --crate-name poly1305 "* | *" --crate-name chacha20poly1305 "* | *" --crate-name cbc "* | \
*" --crate-name ctr "* | *" --crate-name cipher "* | *" --crate-name digest "* | \
*" --crate-name block_buffer "* | *" --crate-name subtle "* | *" --crate-name ff "* | \
*" --crate-name group "* | *" --crate-name rfc6979 "*)
    for arg in "$@"; do
        shift
        case "$arg" in
        -Cpasses=sancov-module | -Cllvm-args=-sanitizer-coverage-*) ;;
        *) set -- "$@" "$arg" ;;
        esac
    done
    ;;
esac
exec "$rustc" "$@"
