package dev.aria.problem;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

/**
 * Translates Java-side names into the names a client sent: {@code generate.arg0.topP} (a bean-validation property
 * path) becomes {@code top_p} (the {@code @RestForm("top_p")} the client filled in).
 *
 * <p>The mapping is generic: it reads the parameter and field annotations of the resource method
 * ({@code @RestForm}, {@code @FormParam}, {@code @RestQuery}, {@code @QueryParam}, {@code @RestHeader},
 * {@code @HeaderParam}, {@code @RestPath}, {@code @PathParam}, {@code @RestCookie}, {@code @CookieParam}, and
 * Jackson's {@code @JsonProperty} for JSON bodies), so new endpoints need nothing extra.
 */
final class RequestFields {

    /** Where a request field travels. */
    enum Source {
        FORM("form field"), QUERY("query parameter"), HEADER("header"), PATH("path segment"), COOKIE("cookie");

        final String noun;

        Source(String noun) {
            this.noun = noun;
        }
    }

    /** A request field whose text does not convert to the type the endpoint declares. */
    record Unconvertible(Source source, String field, String value, String expected) {
    }

    private static final Map<String, Source> SOURCE_ANNOTATIONS = Map.ofEntries(
            Map.entry("org.jboss.resteasy.reactive.RestForm", Source.FORM),
            Map.entry("jakarta.ws.rs.FormParam", Source.FORM),
            Map.entry("org.jboss.resteasy.reactive.RestQuery", Source.QUERY),
            Map.entry("jakarta.ws.rs.QueryParam", Source.QUERY),
            Map.entry("org.jboss.resteasy.reactive.RestHeader", Source.HEADER),
            Map.entry("jakarta.ws.rs.HeaderParam", Source.HEADER),
            Map.entry("org.jboss.resteasy.reactive.RestPath", Source.PATH),
            Map.entry("jakarta.ws.rs.PathParam", Source.PATH),
            Map.entry("org.jboss.resteasy.reactive.RestCookie", Source.COOKIE),
            Map.entry("jakarta.ws.rs.CookieParam", Source.COOKIE));

    private static final String JSON_PROPERTY = "com.fasterxml.jackson.annotation.JsonProperty";

    private RequestFields() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bean validation

    /**
     * The request field a violation is about, as the client named it; {@code null} for a violation of the return
     * value or across parameters.
     */
    static String fieldOf(ConstraintViolation<?> violation) {
        List<Method> method = List.of();
        Type current = null;
        String parameterFallback = null;
        List<String> parts = new ArrayList<>();
        for (Path.Node node : violation.getPropertyPath()) {
            ElementKind kind = node.getKind();
            switch (kind) {
                case METHOD -> method = findMethods(violation.getRootBeanClass(), node.getName(),
                        node.as(Path.MethodNode.class).getParameterTypes());
                case CONSTRUCTOR -> method = List.of();
                case PARAMETER -> {
                    int index = node.as(Path.ParameterNode.class).getParameterIndex();
                    if (!method.isEmpty() && index < method.get(0).getParameterCount()) {
                        String requestName = null;
                        String javaName = null;
                        // CDI subclasses override the method without its parameter annotations and names:
                        // take both from the first declaration up the hierarchy that has them
                        for (Method declaration : method) {
                            Parameter parameter = declaration.getParameters()[index];
                            if (javaName == null && parameter.isNamePresent()) {
                                javaName = parameter.getName();
                            }
                            if (requestName == null) {
                                requestName = requestName(parameter, null);
                            }
                        }
                        Parameter parameter = method.get(0).getParameters()[index];
                        javaName = javaName != null ? javaName : node.getName();
                        if (requestName != null) {
                            parts.add(requestName.isEmpty() ? javaName : requestName);
                        } else {
                            parameterFallback = javaName;
                        }
                        current = parameter.getParameterizedType();
                    } else {
                        parameterFallback = node.getName();
                        current = null;
                    }
                }
                case PROPERTY -> {
                    if (node.isInIterable() && !parts.isEmpty()) {
                        appendIndex(parts, node);
                        current = elementType(current);
                    }
                    Field field = current == null ? null : findField(rawClass(current), node.getName());
                    if (field != null) {
                        String requestName = requestName(field, field.getName());
                        parts.add(requestName != null ? requestName : jsonName(field));
                        current = field.getGenericType();
                    } else {
                        parts.add(node.getName());
                        current = null;
                    }
                }
                case CONTAINER_ELEMENT -> {
                    if (node.isInIterable() && !parts.isEmpty()) {
                        appendIndex(parts, node);
                    }
                    current = elementType(current);
                }
                case RETURN_VALUE, CROSS_PARAMETER -> {
                    return null;
                }
                default -> {
                    // BEAN: the object itself, nothing to name
                }
            }
        }
        if (parts.isEmpty()) {
            return parameterFallback;
        }
        return String.join(".", parts);
    }

    /** Whether the violation is about what the service returned (a server fault), not about the request. */
    static boolean isAboutReturnValue(ConstraintViolation<?> violation) {
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    private static void appendIndex(List<String> parts, Path.Node node) {
        Object key = node.getIndex() != null ? node.getIndex() : node.getKey();
        if (key != null) {
            int last = parts.size() - 1;
            parts.set(last, parts.get(last) + "[" + key + "]");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Form fields

    /** A form field an endpoint declares: its name on the wire and its Java type. */
    record FormField(String name, Class<?> type) {
    }

    /**
     * The form fields {@code method} declares, as parameters or as fields of a {@code @BeanParam}, by the names the
     * client uses; the catch-all {@code FileUpload.ALL} ({@code *}) is left out.
     */
    static List<FormField> formFields(Method method) {
        List<FormField> fields = new ArrayList<>();
        if (method == null) {
            return fields;
        }
        for (Parameter parameter : method.getParameters()) {
            if (sourceOf(parameter) == Source.FORM) {
                addFormField(fields, requestName(parameter, parameter.getName()), parameter.getParameterizedType());
            } else if (sourceOf(parameter) == null && isBeanLike(parameter.getType())) {
                for (Class<?> c = parameter.getType(); c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (sourceOf(field) == Source.FORM) {
                            addFormField(fields, requestName(field, field.getName()), field.getGenericType());
                        }
                    }
                }
            }
        }
        return fields;
    }

    private static void addFormField(List<FormField> fields, String name, Type type) {
        if (name == null || name.isEmpty() || name.equals("*") || isContainer(type)) {
            return;
        }
        Class<?> raw = rawClass(type);
        if (raw != null) {
            fields.add(new FormField(name, raw));
        }
    }

    /** Whether values of {@code type} are whole numbers ({@code int}, {@code Long}, {@code BigInteger}, ...). */
    static boolean isWholeNumber(Class<?> type) {
        return type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == BigInteger.class;
    }

    /** Whether values of {@code type} are decimal numbers ({@code double}, {@code Float}, {@code BigDecimal}, ...). */
    static boolean isDecimalNumber(Class<?> type) {
        return type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parameter conversion

    /**
     * Finds the request field whose text the endpoint could not convert, e.g. {@code seed=abc} for an {@code int}
     * form field, by re-trying the conversion of each declared field of {@code method}.
     *
     * @param raw reads the text the client sent for a field, or {@code null} when it sent none
     */
    static Optional<Unconvertible> findUnconvertible(Method method, BiFunction<Source, String, String> raw) {
        if (method == null) {
            return Optional.empty();
        }
        for (Parameter parameter : method.getParameters()) {
            Source source = sourceOf(parameter);
            if (source != null) {
                Optional<Unconvertible> bad = check(source, requestName(parameter, parameter.getName()),
                        parameter.getParameterizedType(), raw);
                if (bad.isPresent()) {
                    return bad;
                }
            } else if (isBeanLike(parameter.getType())) {
                for (Class<?> c = parameter.getType(); c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        Source fieldSource = sourceOf(field);
                        if (fieldSource == null) {
                            continue;
                        }
                        Optional<Unconvertible> bad = check(fieldSource, requestName(field, field.getName()),
                                field.getGenericType(), raw);
                        if (bad.isPresent()) {
                            return bad;
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Unconvertible> check(Source source, String name, Type type,
            BiFunction<Source, String, String> raw) {
        String value;
        try {
            value = raw.apply(source, name);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (value == null) {
            return Optional.empty();
        }
        Class<?> target = rawClass(elementType(type) != null && isContainer(type) ? elementType(type) : type);
        if (target == null || converts(target, value)) {
            return Optional.empty();
        }
        return Optional.of(new Unconvertible(source, name, value, describe(target)));
    }

    private static boolean converts(Class<?> target, String value) {
        try {
            if (target == String.class || target == Object.class || target == CharSequence.class) {
                return true;
            }
            if (target == int.class || target == Integer.class) {
                Integer.valueOf(value);
            } else if (target == long.class || target == Long.class) {
                Long.valueOf(value);
            } else if (target == short.class || target == Short.class) {
                Short.valueOf(value);
            } else if (target == byte.class || target == Byte.class) {
                Byte.valueOf(value);
            } else if (target == double.class || target == Double.class) {
                Double.valueOf(value);
            } else if (target == float.class || target == Float.class) {
                Float.valueOf(value);
            } else if (target == char.class || target == Character.class) {
                return value.length() == 1;
            } else if (target == boolean.class || target == Boolean.class) {
                return true;
            } else if (target.isEnum()) {
                return Arrays.stream(target.getEnumConstants()).anyMatch(c -> ((Enum<?>) c).name().equals(value))
                        || invokeFactory(target, value);
            } else {
                return invokeFactory(target, value);
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Tries the conversions JAX-RS applies: {@code valueOf}, {@code fromString}, {@code parse}, a String constructor. */
    private static boolean invokeFactory(Class<?> target, String value) {
        try {
            for (String name : List.of("valueOf", "fromString", "parse")) {
                for (Class<?> argument : List.of(String.class, CharSequence.class)) {
                    try {
                        Method factory = target.getMethod(name, argument);
                        if (Modifier.isStatic(factory.getModifiers())) {
                            factory.invoke(null, value);
                            return true;
                        }
                    } catch (NoSuchMethodException e) {
                        // try the next one
                    }
                }
            }
            try {
                Constructor<?> constructor = target.getConstructor(String.class);
                constructor.newInstance(value);
                return true;
            } catch (NoSuchMethodException e) {
                return true; // no conversion we know of: do not blame this field
            }
        } catch (InvocationTargetException e) {
            return false;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    private static String describe(Class<?> target) {
        if (target == int.class || target == Integer.class || target == long.class || target == Long.class
                || target == short.class || target == Short.class || target == byte.class || target == Byte.class
                || target == BigInteger.class) {
            return "a whole number, e.g. 42";
        }
        if (target == double.class || target == Double.class || target == float.class || target == Float.class
                || target == BigDecimal.class) {
            return "a number, e.g. 0.9";
        }
        if (target == char.class || target == Character.class) {
            return "a single character";
        }
        if (target.isEnum()) {
            return "one of " + Arrays.stream(target.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        if (target == java.time.Duration.class) {
            return "an ISO-8601 duration, e.g. PT30S";
        }
        return "a valid " + target.getSimpleName();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reflection helpers

    /**
     * The name the client uses for a parameter or field, from its request annotation ({@code javaName} when the
     * annotation leaves the name out); {@code null} if it has no request annotation.
     */
    static String requestName(AnnotatedElement element, String javaName) {
        for (Annotation annotation : element.getAnnotations()) {
            if (SOURCE_ANNOTATIONS.containsKey(annotation.annotationType().getName())) {
                String value = annotationValue(annotation);
                if (value == null || value.isEmpty()) {
                    return javaName == null ? "" : javaName;
                }
                return value;
            }
        }
        return null;
    }

    static Source sourceOf(AnnotatedElement element) {
        for (Annotation annotation : element.getAnnotations()) {
            Source source = SOURCE_ANNOTATIONS.get(annotation.annotationType().getName());
            if (source != null) {
                return source;
            }
        }
        return null;
    }

    private static String jsonName(Field field) {
        for (Annotation annotation : field.getAnnotations()) {
            if (annotation.annotationType().getName().equals(JSON_PROPERTY)) {
                String value = annotationValue(annotation);
                if (value != null && !value.isEmpty()) {
                    return value;
                }
            }
        }
        return field.getName();
    }

    private static String annotationValue(Annotation annotation) {
        try {
            Object value = annotation.annotationType().getMethod("value").invoke(annotation);
            return value instanceof String s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isBeanLike(Class<?> type) {
        return !type.isPrimitive() && !type.isArray() && !type.getName().startsWith("java.")
                && !type.getName().startsWith("jakarta.") && !type.getName().startsWith("org.jboss.")
                && !type.getName().startsWith("io.");
    }

    /** Every declaration of the method from {@code type} up its superclasses and interfaces, most specific first. */
    private static List<Method> findMethods(Class<?> type, String name, List<Class<?>> parameterTypes) {
        Class<?>[] types = parameterTypes.toArray(Class<?>[]::new);
        List<Method> found = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                found.add(c.getDeclaredMethod(name, types));
            } catch (NoSuchMethodException e) {
                // declared elsewhere in the hierarchy
            }
            for (Class<?> contract : c.getInterfaces()) {
                try {
                    found.add(contract.getMethod(name, types));
                } catch (NoSuchMethodException e) {
                    // not this one
                }
            }
        }
        return found;
    }

    private static Field findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    private static boolean isContainer(Type type) {
        Class<?> raw = rawClass(type);
        return raw != null && (raw.isArray() || Collection.class.isAssignableFrom(raw) || raw == Optional.class);
    }

    /** Element type of a collection, array or Optional; {@code null} otherwise. */
    private static Type elementType(Type type) {
        if (type instanceof ParameterizedType p) {
            Type[] arguments = p.getActualTypeArguments();
            return arguments.length == 0 ? null : arguments[arguments.length - 1];
        }
        if (type instanceof Class<?> c && c.isArray()) {
            return c.getComponentType();
        }
        return null;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof java.lang.reflect.GenericArrayType g) {
            Class<?> component = rawClass(g.getGenericComponentType());
            return component == null ? null : Array.newInstance(component, 0).getClass();
        }
        return null;
    }
}
