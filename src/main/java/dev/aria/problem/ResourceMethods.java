package dev.aria.problem;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

/**
 * The HTTP methods each REST path accepts, read once from the {@code @Path} resource beans, so that a 405 can name
 * them (in the detail and the {@code Allow} header that RFC 9110 requires) — the JAX-RS runtime does not say.
 */
final class ResourceMethods {

    private record Route(Pattern path, String method) {
    }

    private final List<Route> routes;

    private ResourceMethods(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Scans every bean whose class carries {@code @Path}. */
    static ResourceMethods scan(BeanManager beans) {
        List<Route> routes = new ArrayList<>();
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            Path classPath = type.getAnnotation(Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method method : type.getMethods()) {
                String httpMethod = httpMethod(method);
                if (httpMethod == null) {
                    continue;
                }
                Path methodPath = method.getAnnotation(Path.class);
                String template = classPath.value() + "/" + (methodPath == null ? "" : methodPath.value());
                routes.add(new Route(toPattern(template), httpMethod));
            }
        }
        return new ResourceMethods(routes);
    }

    /** The methods some resource accepts at {@code path}, sorted; empty when no resource matches. */
    Set<String> allowedAt(String path) {
        String normalised = normalise(path);
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            if (route.path().matcher(normalised).matches()) {
                allowed.add(route.method());
            }
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        if (!allowed.isEmpty()) {
            allowed.add("OPTIONS");
        }
        return allowed;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    /** {@code /items/{id}/{name: [a-z]+}} becomes {@code /items/[^/]+/[a-z]+}. */
    static Pattern toPattern(String template) {
        String path = normalise(template);
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '{') {
                int depth = 1;
                int end = i + 1;
                while (end < path.length() && depth > 0) {
                    char d = path.charAt(end);
                    depth += d == '{' ? 1 : d == '}' ? -1 : 0;
                    end++;
                }
                String variable = path.substring(i + 1, end - 1);
                int colon = variable.indexOf(':');
                regex.append('(').append(colon < 0 ? "[^/]+" : variable.substring(colon + 1).trim()).append(')');
                i = end;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static String normalise(String path) {
        String collapsed = ("/" + path).replaceAll("/+", "/");
        return collapsed.length() > 1 && collapsed.endsWith("/") ? collapsed.substring(0, collapsed.length() - 1)
                : collapsed;
    }
}
