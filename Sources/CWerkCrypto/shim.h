// libcrypto (OpenSSL 3) headers that Werk uses: digests, HMAC, PBKDF2, scrypt, secure random.
#pragma once
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/core_names.h>
