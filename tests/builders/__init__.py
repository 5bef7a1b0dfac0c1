"""What tests build and share: models, workbooks, corpora, servers, LibreOffice runs; no test imports another."""
