"""One installation as the fleet sees it: the monitor (``monitor``: which model runs, its health and the
automatic rollback), the rules of that rollback (``rollback``), the app's metrics (``telemetry``) and the
``/metrics`` server that publishes them (``metrics_http``)."""
