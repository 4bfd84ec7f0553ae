# shellcheck shell=sh
# Login shells see the services' environment, as the runbooks assume (`echo $COINGECKO_API_KEY`).
if [ -r /etc/autotrader/env ]; then
  set -a
  . /etc/autotrader/env
  set +a
fi
