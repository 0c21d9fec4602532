import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env, database_url_for, parse_database_url, parse_email_url


class TestEnv:
    def test_records_every_name_read_even_when_unset(self):
        env = Env({"DEBUG": "1"})

        env.bool("DEBUG")
        env.str("SITE_URL", default="http://x")

        assert env.names == {"DEBUG", "SITE_URL"}

    @pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("On", True), ("0", False), ("", False)])
    def test_bool_words(self, raw, expected):
        assert Env({"DEBUG": raw}).bool("DEBUG") is expected

    def test_bool_rejects_garbage_naming_the_variable(self):
        with pytest.raises(ImproperlyConfigured, match="DEBUG"):
            Env({"DEBUG": "maybe"}).bool("DEBUG")

    def test_int_rejects_garbage_naming_the_variable(self):
        with pytest.raises(ImproperlyConfigured, match="WORKERS"):
            Env({"WORKERS": "two"}).int("WORKERS", default=1)

    def test_list_splits_and_trims(self):
        assert Env({"ALLOWED_HOSTS": " a.example, b.example ,"}).list("ALLOWED_HOSTS") == ["a.example", "b.example"]


class TestDatabaseUrl:
    def test_postgres_url_with_credentials_and_options(self):
        config = parse_database_url("postgres://salon:p%40ss@db.internal:6543/salon?sslmode=require")

        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("salon", "salon", "p@ss")
        assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
        assert config["OPTIONS"] == {"sslmode": "require"}

    def test_sqlite_gets_wal_immediate_transactions_and_busy_timeout(self):
        config = parse_database_url("sqlite:///var/x.sqlite3")

        assert config["NAME"] == "var/x.sqlite3"
        assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
        assert config["OPTIONS"]["timeout"] > 0

    def test_absolute_sqlite_path(self):
        assert parse_database_url("sqlite:////srv/salon.sqlite3")["NAME"] == "/srv/salon.sqlite3"

    @pytest.mark.parametrize(
        "url",
        ["postgres://salon:p%40ss@db.internal:6543/salon?sslmode=require", "postgres://postgres@127.0.0.1/test_salon"],
    )
    def test_a_worker_is_given_the_same_postgres_database_back(self, url):
        config = parse_database_url(url)

        assert parse_database_url(database_url_for(config)) == config

    def test_a_worker_is_given_the_same_sqlite_file_back(self, tmp_path):
        config = parse_database_url(f"sqlite:///{tmp_path}/salon.sqlite3")

        assert parse_database_url(database_url_for(config))["NAME"] == str(tmp_path / "salon.sqlite3")

    @pytest.mark.parametrize("url", ["mysql://root@localhost/salon", "postgres://localhost", "sqlite://"])
    def test_unusable_urls_are_refused_naming_the_variable(self, url):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            parse_database_url(url)


class TestEmailUrl:
    def test_smtp_with_starttls(self):
        config = parse_email_url("smtp://mailer:secret@smtp.example:587?tls=1")

        assert config["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("smtp.example", 587)
        assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("mailer", "secret")
        assert config["EMAIL_USE_TLS"] is True
        assert config["EMAIL_USE_SSL"] is False

    def test_smtps_uses_implicit_tls_on_465(self):
        config = parse_email_url("smtps://smtp.example")

        assert config["EMAIL_PORT"] == 465
        assert config["EMAIL_USE_SSL"] is True

    def test_local_sink(self):
        config = parse_email_url("smtp://127.0.0.1:1025")

        assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("127.0.0.1", 1025, False)

    def test_console_and_file_backends(self):
        assert parse_email_url("consolemail://")["EMAIL_BACKEND"] == "config.mail.ConsoleEmailBackend"
        config = parse_email_url("filemail:///var/mail/salon")
        assert config["EMAIL_FILE_PATH"] == "/var/mail/salon"

    @pytest.mark.parametrize("url", ["pop3://mail.example", "smtp://", "filemail://"])
    def test_unusable_urls_are_refused_naming_the_variable(self, url):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
            parse_email_url(url)
