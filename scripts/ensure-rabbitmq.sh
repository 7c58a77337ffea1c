#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers on the AMQP port used by the tests (COMMBENCH_AMQP_URL,
# default amqp://guest:guest@127.0.0.1:5672/). Idempotent: does nothing when one answers; starts the
# installed broker when it is stopped; installs Debian's rabbitmq-server when it is missing.
set -euo pipefail
host=127.0.0.1 port=5672
if [[ -n "${COMMBENCH_AMQP_URL:-}" ]]; then
  hp=${COMMBENCH_AMQP_URL#*://}; hp=${hp#*@}; hp=${hp%%/*}
  host=${hp%%:*}; [[ "$hp" == *:* ]] && port=${hp##*:}
fi
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
if answers; then echo "rabbitmq: answering on $host:$port"; exit 0; fi
if [[ "$host" != 127.0.0.1 && "$host" != localhost ]]; then
  echo "rabbitmq: nothing answers on $host:$port (COMMBENCH_AMQP_URL); start that broker" >&2; exit 1
fi
if ! command -v rabbitmq-server >/dev/null; then
  echo "rabbitmq: not installed, installing Debian's rabbitmq-server"
  if [[ $(id -u) != 0 ]]; then echo "rabbitmq: need root to install; run: sudo apt-get install rabbitmq-server" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi
echo "rabbitmq: starting (rabbitmq-server -detached)"
rabbitmq-server -detached || true
for _ in $(seq 1 90); do
  if answers; then echo "rabbitmq: answering on $host:$port"; exit 0; fi
  sleep 1
done
echo "rabbitmq: did not answer on $host:$port within 90 s; see /var/log/rabbitmq" >&2
exit 1
