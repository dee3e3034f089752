package io.pgfleet.events.json;

import io.pgfleet.events.Doc;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Derives the {@link Shape} of a payload type from its record components and {@link Doc}s. */
public final class Shapes {

    private static final Map<Type, Shape> CACHE = new ConcurrentHashMap<>();

    private Shapes() {
    }

    /** The shape of a payload type. */
    public static Shape of(Type type) {
        Shape cached = CACHE.get(type);
        if (cached == null) {
            cached = derive(type);
            CACHE.put(type, cached);
        }
        return cached;
    }

    private static Shape derive(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] args = parameterized.getActualTypeArguments();
            if (Map.class.isAssignableFrom(raw)) {
                if (args[0] != String.class) {
                    throw new IllegalArgumentException("map keys must be strings: " + type);
                }
                return new Shape.MapOf(of(args[1]));
            }
            if (List.class.isAssignableFrom(raw)) {
                return new Shape.ListOf(of(args[0]));
            }
            throw new IllegalArgumentException("unsupported generic type " + type);
        }
        Class<?> cls = (Class<?>) type;
        if (cls == String.class) {
            return Shape.Scalar.STRING;
        }
        if (cls == Integer.class || cls == int.class || cls == Long.class || cls == long.class) {
            return Shape.Scalar.INTEGER;
        }
        if (cls == Double.class || cls == double.class) {
            return Shape.Scalar.NUMBER;
        }
        if (cls == Boolean.class || cls == boolean.class) {
            return Shape.Scalar.BOOLEAN;
        }
        if (cls == Instant.class) {
            return Shape.Scalar.TIMESTAMP;
        }
        if (cls == Object.class) {
            return Shape.Scalar.ANY;
        }
        if (cls.isEnum()) {
            return new Shape.OneOf(cls.getSimpleName(), Arrays.stream(cls.getEnumConstants()).map(Object::toString).toList());
        }
        if (cls.isRecord()) {
            List<Shape.Prop> props = new ArrayList<>();
            for (RecordComponent component : cls.getRecordComponents()) {
                Doc doc = component.getAnnotation(Doc.class);
                Shape shape = component.isAnnotationPresent(ScalarValues.class)
                        ? new Shape.MapOf(Shape.Scalar.PRIMITIVE) : of(component.getGenericType());
                props.add(new Shape.Prop(component.getName(), shape,
                        doc != null && doc.required(), doc == null ? "" : doc.value(), doc));
            }
            Doc doc = cls.getAnnotation(Doc.class);
            return new Shape.Obj(cls, doc == null ? "" : doc.value(), List.copyOf(props));
        }
        throw new IllegalArgumentException("unsupported payload type " + cls);
    }
}
