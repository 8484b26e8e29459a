package io.bemi.agent.instrumentation;

import io.bemi.agent.core.AgentLog;
import io.bemi.agent.hooks.Dispatch;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The agent's only {@link ClassFileTransformer}. For every class the JVM loads it looks the name up
 * in a map of the few classes in {@link Interception#ALL} and returns at once for all others, so
 * attaching the agent costs next to nothing per class (Byte Buddy's {@code AgentBuilder} cost
 * seconds of start-up on the test machine; see docs/architecture.md, "Agent"). Matching classes are
 * rewritten with the ASM that Byte Buddy bundles (relocated), by {@link MethodWrapper}.
 *
 * <p>A class is changed only if its class loader can see {@link Dispatch} (through the system class
 * loader, where the agent put it); otherwise the added calls could not link and the class is left
 * alone, reported once.
 */
public final class BemiTransformer implements ClassFileTransformer {

  /** Passes the result of each {@code Bemi.snapshot()} call through {@code Dispatch.snapshot}; the stack shape is unchanged. */
  private static final class SnapshotCalls extends MethodVisitor {
    private final boolean[] changed;

    SnapshotCalls(MethodVisitor target, boolean[] changed) {
      super(Opcodes.ASM9, target);
      this.changed = changed;
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
      if (opcode == Opcodes.INVOKESTATIC && owner.equals("io/bemi/Bemi") && name.equals("snapshot")
          && descriptor.equals("()Lio/bemi/ContextSnapshot;")) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, Dispatch.INTERNAL_NAME, "snapshot", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
        super.visitTypeInsn(Opcodes.CHECKCAST, "io/bemi/ContextSnapshot");
        changed[0] = true;
      }
    }
  }

  private final Map<String, List<Interception>> byClass = new HashMap<>();
  private final Map<ClassLoader, Boolean> seesDispatch = Collections.synchronizedMap(new WeakHashMap<>());

  private BemiTransformer(Set<Interception.Part> parts) {
    for (Interception interception : Interception.ALL) {
      if (parts.contains(interception.part())) {
        List<Interception> ofClass = byClass.get(interception.owner());
        if (ofClass == null) {
          ofClass = new ArrayList<>();
          byClass.put(interception.owner(), ofClass);
        }
        ofClass.add(interception);
      }
    }
  }

  /** Registers the transformer for the given parts; classes load afterwards are changed as they load. */
  public static void install(Instrumentation instrumentation, boolean connections, boolean requests, boolean jobs) {
    Set<Interception.Part> parts = EnumSet.noneOf(Interception.Part.class);
    if (connections) {
      parts.add(Interception.Part.CONNECTIONS);
    }
    if (requests) {
      parts.add(Interception.Part.REQUESTS);
    }
    if (jobs) {
      parts.add(Interception.Part.JOBS);
    }
    instrumentation.addTransformer(new BemiTransformer(parts), false);
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (className == null || loader == null || redefined != null) {
      return null;
    }
    List<Interception> interceptions = byClass.get(className);
    if (interceptions == null) {
      return null;
    }
    try {
      if (!seesDispatch.computeIfAbsent(loader, BemiTransformer::canSeeDispatch)) {
        AgentLog.failedOnce("instrumenting " + className.replace('/', '.') + " in class loader " + loader,
            new IllegalStateException("that class loader does not delegate to the system class loader, where the agent's hooks are"));
        return null;
      }
      return rewrite(bytes, interceptions);
    } catch (Throwable failure) {
      AgentLog.failedOnce("instrumenting " + className.replace('/', '.'), failure);
      return null; // the class loads unchanged
    }
  }

  private static boolean canSeeDispatch(ClassLoader loader) {
    return loader.getResource(Dispatch.INTERNAL_NAME + ".class") != null;
  }

  static byte[] rewrite(byte[] bytes, List<Interception> interceptions) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    List<MethodWrapper> wrappers = new ArrayList<>();
    boolean[] changed = {false};
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      private int version;

      @Override
      public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        this.version = version;
        super.visit(version, access, name, signature, superName, interfaces);
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE)) == 0) {
          for (Interception interception : interceptions) {
            if (interception.kind() == Interception.Kind.SNAPSHOT_CALLS) {
              return new SnapshotCalls(super.visitMethod(access, name, descriptor, signature, exceptions), changed);
            }
            if (interception.method().equals(name) && interception.descriptor().equals(descriptor)) {
              MethodWrapper wrapper = new MethodWrapper(interception, access, signature, exceptions, version);
              wrappers.add(wrapper);
              return wrapper.visitOriginal(cv);
            }
          }
        }
        return super.visitMethod(access, name, descriptor, signature, exceptions);
      }

      @Override
      public void visitEnd() {
        for (MethodWrapper wrapper : wrappers) {
          wrapper.writeWrapper(cv);
        }
        super.visitEnd();
      }
    }, 0);
    return wrappers.isEmpty() && !changed[0] ? null : writer.toByteArray();
  }
}
