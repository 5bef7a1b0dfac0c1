"""Files in and out: bounded reads, the reader, the template writer, the streaming .xlsx writer, page setup."""
