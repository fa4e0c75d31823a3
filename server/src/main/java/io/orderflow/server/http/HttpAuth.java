package io.orderflow.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.apache.kafka.common.config.types.Password;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call what on an HTTP server: bearer tokens with roles ({@code http.auth=tokens}), or nobody is asked
 * ({@code http.auth=none}, said at start and in {@code /instances}). There is no default: a server refuses to start
 * until one is chosen.
 *
 * <p>{@code GET /health} and {@code GET /ready} are always open (probes), and so is the console's static page
 * ({@code /console}, which holds no data: it asks the API with the token the user gives it), {@code GET /metrics} unless
 * {@code http.auth.metrics=true}. {@code POST} (placing and cancelling orders) needs the role {@code write}; every
 * other request {@code read}; {@code operator} the operator's view ({@code /sagas}, {@code /dead-letters}) and
 * actions. A request without a token is 401 with
 * {@code WWW-Authenticate: Bearer}; a wrong or malformed one too, and it counts against the client's address: more
 * than {@value #MAX_FAILURES} in {@value #WINDOW_SECONDS} s and every request from it is 429 with
 * {@code Retry-After} until the window ends. A token without the role is 403. Tokens are compared as SHA-256
 * digests with {@link MessageDigest#isEqual} (constant time), against every configured token, so the time taken
 * says nothing of which token came close. A token never appears in a log line or an answer.
 *
 * <p>Tokens come from {@code http.auth.tokens.file} or {@code http.auth.tokens} (e.g. the environment variable
 * {@code ORDERFLOW_HTTP_AUTH_TOKENS}), one per line: {@code <name> <role>[,<role>…] <token>}; {@code #} starts a
 * comment. A token has at least {@value #MIN_TOKEN_LENGTH} characters of {@code [A-Za-z0-9._~+/=-]} (RFC 6750's
 * token68). Instances forward a caller's {@code Authorization} header when they ask each other, so every instance
 * needs the same tokens.
 */
public final class HttpAuth {
    public static final String MODE = "http.auth";
    public static final String TOKENS_FILE = "http.auth.tokens.file";
    public static final String TOKENS = "http.auth.tokens";
    public static final String PROTECT_METRICS = "http.auth.metrics";
    static final int MIN_TOKEN_LENGTH = 24;
    static final int MAX_FAILURES = 10;
    static final int WINDOW_SECONDS = 60;
    /** Addresses remembered at most; past it, windows that have ended are forgotten first. */
    private static final int MAX_CLIENTS = 10_000;
    private static final String CHALLENGE = "Bearer realm=\"orderflow\"";

    /** What a token may do. */
    public enum Role {
        READ, WRITE, OPERATOR;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private record Token(String name, byte[] digest, Set<Role> roles) {
    }

    /** A client's failed attempts in the window that started at {@code start} (epoch ms). */
    private record Failures(long start, int count) {
    }

    private final boolean enabled;
    private final List<Token> tokens;
    private final boolean protectMetrics;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private HttpAuth(boolean enabled, List<Token> tokens, boolean protectMetrics, Clock clock) {
        this.enabled = enabled;
        this.tokens = tokens;
        this.protectMetrics = protectMetrics;
        this.clock = clock;
    }

    /** No authentication: every endpoint open to whoever reaches the port. */
    public static HttpAuth none() {
        return new HttpAuth(false, List.of(), false, Clock.systemUTC());
    }

    /** Bearer tokens from {@code text} (the token file's format); {@code source} names it in errors. */
    public static HttpAuth tokens(String text, String source, boolean protectMetrics, Clock clock) {
        List<Token> tokens = parse(text, source);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no token: add lines '<name> <role>[,<role>…] <token>'");
        }
        return new HttpAuth(true, tokens, protectMetrics, clock);
    }

    /**
     * The choice in an instance's or the intake's settings ({@code InstanceConfig.values}).
     *
     * @throws IllegalArgumentException when none is chosen, or the tokens cannot be read; the message names the
     *                                  setting and never holds a token
     */
    public static HttpAuth from(Map<String, Object> settings) {
        String mode = (String) settings.get(MODE);
        if (mode == null) {
            throw new IllegalArgumentException(MODE + " is not set: set " + MODE + "=tokens with " + TOKENS_FILE
                    + " (or " + TOKENS + ", e.g. from ORDERFLOW_HTTP_AUTH_TOKENS) to require "
                    + "bearer tokens, or " + MODE + "=none to serve without authentication (not for deployment)");
        }
        if (mode.equals("none")) {
            return none();
        }
        boolean protectMetrics = (Boolean) settings.get(PROTECT_METRICS);
        String file = (String) settings.get(TOKENS_FILE);
        Password inline = (Password) settings.get(TOKENS);
        if (file != null && inline != null) {
            throw new IllegalArgumentException("set one of " + TOKENS_FILE + " and " + TOKENS + ", not both");
        }
        if (inline != null) {
            return tokens(inline.value(), TOKENS, protectMetrics, Clock.systemUTC());
        }
        if (file == null) {
            throw new IllegalArgumentException(MODE + "=tokens needs " + TOKENS_FILE + " or " + TOKENS);
        }
        try {
            return tokens(Files.readString(Path.of(file), StandardCharsets.UTF_8), TOKENS_FILE + " " + file,
                    protectMetrics, Clock.systemUTC());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(TOKENS_FILE + " " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + TOKENS_FILE + " " + file + ": "
                    + e.getClass().getSimpleName());
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** Checks every request before its route runs; call after {@link HttpErrors#install}. */
    void install(JavalinConfig config) {
        if (enabled) {
            config.routes.before(this::check);
        }
    }

    private void check(Context ctx) {
        Role needed = needed(ctx.method(), ctx.path());
        if (needed == null) {
            return;
        }
        String client = ctx.ip();
        long retryAfter = blockedFor(client);
        if (retryAfter > 0) {
            ctx.header("Retry-After", Long.toString(retryAfter));
            refuse(ctx, 429, "too many failed authentications from this address; retry in " + retryAfter + " s");
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            ctx.header("WWW-Authenticate", CHALLENGE);
            refuse(ctx, 401, "authentication required: send 'Authorization: Bearer <token>'");
            return;
        }
        String presented = bearer(header);
        if (presented == null) {
            failed(client);
            ctx.header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_request\"");
            refuse(ctx, 401, "malformed Authorization header: expected 'Bearer <token>'");
            return;
        }
        Token token = match(presented);
        if (token == null) {
            failed(client);
            ctx.header("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
            refuse(ctx, 401, "the token is not valid");
            return;
        }
        if (!token.roles().contains(needed)) {
            refuse(ctx, 403, "token '" + token.name() + "' lacks the role '" + needed.label() + "' that "
                    + ctx.method() + " " + ctx.path() + " needs");
            return;
        }
        ctx.attribute(PRINCIPAL, token.name());
    }

    /** The request attribute holding the name of the token a request came with. */
    static final String PRINCIPAL = "orderflow.principal";

    /**
     * Who made {@code ctx}'s request, for an audit record: its token's name, or {@code anonymous@<address>} when
     * {@code http.auth=none}.
     */
    public static String principal(Context ctx) {
        String name = ctx.attribute(PRINCIPAL);
        return name != null ? name : "anonymous@" + ctx.ip();
    }

    /** The role a request needs, or null for an open endpoint. */
    Role needed(HandlerType method, String path) {
        if (isOperatorPath(path)) {
            return Role.OPERATOR;
        }
        if (method == HandlerType.GET || method == HandlerType.HEAD) {
            if (path.equals("/health") || path.equals("/ready") || (path.equals("/metrics") && !protectMetrics)
                    || path.equals("/console") || path.startsWith("/console/")) {
                return null;
            }
            return Role.READ;
        }
        if (method == HandlerType.OPTIONS) {
            return Role.READ;
        }
        return Role.WRITE;
    }

    /** The operator's view: sagas by status and age, dead letters — every method. */
    static boolean isOperatorPath(String path) {
        return path.equals("/sagas") || path.startsWith("/sagas/") || path.equals("/dead-letters")
                || path.startsWith("/dead-letters/");
    }

    private static void refuse(Context ctx, int status, String message) {
        HttpErrors.error(ctx, status, message);
        ctx.skipRemainingHandlers();
    }

    /** The token of a {@code Bearer} header, or null when the header is anything else. */
    static String bearer(String header) {
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        String token = header.substring(space + 1).strip();
        return token.isEmpty() || !isToken68(token) ? null : token;
    }

    /** Compares with every token, whatever matches, in constant time per comparison. */
    private Token match(String presented) {
        byte[] digest = sha256(presented);
        Token found = null;
        for (Token token : tokens) {
            if (MessageDigest.isEqual(digest, token.digest()) && found == null) {
                found = token;
            }
        }
        return found;
    }

    private long blockedFor(String client) {
        Failures f = failures.get(client);
        if (f == null || f.count() < MAX_FAILURES) {
            return 0;
        }
        long left = f.start() + WINDOW_SECONDS * 1000L - clock.millis();
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    private void failed(String client) {
        long now = clock.millis();
        if (failures.size() >= MAX_CLIENTS) {
            failures.values().removeIf(f -> f.start() + WINDOW_SECONDS * 1000L <= now);
            if (failures.size() >= MAX_CLIENTS) {
                failures.clear(); // a flood of addresses: forget rather than grow without bound
            }
        }
        failures.compute(client, (k, f) -> f == null || f.start() + WINDOW_SECONDS * 1000L <= now
                ? new Failures(now, 1) : new Failures(f.start(), f.count() + 1));
    }

    private static List<Token> parse(String text, String source) {
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] lines = text.split("\r?\n|;");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length != 3) {
                throw new IllegalArgumentException(where + ": expected '<name> <role>[,<role>…] <token>', found "
                        + fields.length + " field" + (fields.length == 1 ? "" : "s"));
            }
            String name = fields[0];
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + ": the name '" + name + "' is given twice");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (String role : fields[1].split(",")) {
                try {
                    roles.add(Role.valueOf(role.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": unknown role '" + role + "' (roles: read, write, "
                            + "operator)");
                }
            }
            String token = fields[2];
            if (token.length() < MIN_TOKEN_LENGTH || !isToken68(token)) {
                throw new IllegalArgumentException(where + ": the token of '" + name + "' must be at least "
                        + MIN_TOKEN_LENGTH + " characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. openssl rand -base64 32)");
            }
            tokens.add(new Token(name, sha256(token), Set.copyOf(roles)));
        }
        return List.copyOf(tokens);
    }

    private static boolean isToken68(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
