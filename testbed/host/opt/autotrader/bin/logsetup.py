"""Logging shared by the autotrader stand-in services: journal (stdout) plus a file.

WatchedFileHandler reopens the file after logrotate moves it, like the real services."""
import logging
import logging.handlers
import os
import sys


def make_logger(name: str) -> logging.Logger:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    os.makedirs("/var/log/autotrader", exist_ok=True)
    for handler in (
        logging.StreamHandler(sys.stdout),
        logging.handlers.WatchedFileHandler(f"/var/log/autotrader/{name}.log"),
    ):
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    return logger
