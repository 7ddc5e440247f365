package dev.aria.problem;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.BeanParam;

import org.hibernate.validator.spi.nodenameprovider.JavaBeanProperty;
import org.hibernate.validator.spi.nodenameprovider.Property;
import org.hibernate.validator.spi.nodenameprovider.PropertyNodeNameProvider;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The names clients use for the fields of the endpoints' forms: the form field {@code top_p} that a form bean's field
 * {@code topP} declares with {@code @RestForm("top_p")}.
 *
 * <p>As Hibernate Validator's {@link PropertyNodeNameProvider} (Quarkus hands it the bean), it names the property nodes
 * of every constraint violation this way, so a violation of {@code GenerateForm.topP} reads as one of {@code top_p}.
 */
@ApplicationScoped
public class FormFieldNames implements PropertyNodeNameProvider {

    /** A form field of an endpoint: its name on the wire and its Java type. */
    record FormField(String name, Class<?> type) {
    }

    @Override
    public String getName(Property property) {
        if (property instanceof JavaBeanProperty bean) {
            try {
                return wireName(bean.getDeclaringClass().getDeclaredField(property.getName()));
            } catch (NoSuchFieldException e) {
                // a getter without a field of its name
            }
        }
        return property.getName();
    }

    /** The fields of the {@code @BeanParam} forms {@code method} takes, but the catch-all of every file part. */
    static List<FormField> of(Method method) {
        List<FormField> fields = new ArrayList<>();
        for (Parameter parameter : method.getParameters()) {
            if (parameter.isAnnotationPresent(BeanParam.class)) {
                for (Field field : parameter.getType().getDeclaredFields()) {
                    RestForm form = field.getAnnotation(RestForm.class);
                    if (form != null && !FileUpload.ALL.equals(form.value())) {
                        fields.add(new FormField(wireName(field), field.getType()));
                    }
                }
            }
        }
        return fields;
    }

    private static String wireName(Field field) {
        RestForm form = field.getAnnotation(RestForm.class);
        return form == null || form.value().isEmpty() ? field.getName() : form.value();
    }
}
