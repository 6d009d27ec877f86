#!/bin/sh
# The private certificate authority the proxy trusts and the gateways' certificate it signs (EC P-256,
# TLS server, names $GATEWAY_NAMES). Made once into $TLS_DIR and kept; made again when the gateways'
# certificate would expire within 30 days. The key of the authority never leaves $TLS_DIR.
set -eu
TLS_DIR=${TLS_DIR:-/internal-tls}
GATEWAY_NAMES=${GATEWAY_NAMES:-gateway-1 gateway-2}
# The gateways run as uid 1000 (the node image's user) and must read their key.
GATEWAY_UID=${GATEWAY_UID:-1000}
command -v openssl >/dev/null 2>&1 || apk add --no-cache openssl >/dev/null
mkdir -p "$TLS_DIR"
cd "$TLS_DIR"

if [ -f gateway.crt ] && openssl x509 -in gateway.crt -noout -checkend 2592000 >/dev/null 2>&1; then
  echo "The gateways' certificate is valid for 30 days or more: kept."
  exit 0
fi

if [ ! -f ca.key ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=Tote internal authority" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
fi

sans=""
for name in $GATEWAY_NAMES; do sans="${sans:+$sans,}DNS:$name"; done
openssl ecparam -name prime256v1 -genkey -noout -out gateway.key
openssl req -new -key gateway.key -subj "/CN=$(echo "$GATEWAY_NAMES" | cut -d' ' -f1)" -out gateway.csr
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$sans" > gateway.ext
openssl x509 -req -in gateway.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 -extfile gateway.ext -out gateway.crt
rm -f gateway.csr gateway.ext
chmod 0600 ca.key
chmod 0640 gateway.key
chown "$GATEWAY_UID" gateway.key 2>/dev/null || true
chmod 0644 ca.crt gateway.crt
echo "Made the gateways' certificate for $GATEWAY_NAMES, signed by $TLS_DIR/ca.crt."
