package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.Dispatch;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Rewrites one intercepted method. Except for Javalin's (a call added at the top), the original
 * body is kept untouched under a new private synthetic name, {@code name$bemi}, and a method with
 * the original name, access and signature calls the hooks around it, e.g. for
 * {@code Driver.connect}:
 *
 * <pre>{@code
 * public Connection connect(String url, Properties info) throws SQLException {
 *   Dispatch.connectionEnter();
 *   Connection connection;
 *   try {
 *     connection = connect$bemi(url, info);
 *   } catch (Throwable t) {
 *     Dispatch.connectionFailed();
 *     throw t;
 *   }
 *   return (Connection) Dispatch.connectionExit(DRIVER_CONNECT, connection, this, url, info);
 * }
 * }</pre>
 *
 * Keeping the original body intact means its stack map frames stay valid and only the small
 * wrapper needs frames of its own, written here by hand (no class hierarchy is ever loaded).
 * The {@link Dispatch} methods never throw, so the wrapper behaves as the original did.
 */
final class MethodWrapper {

  private static final String DISPATCH = Dispatch.INTERNAL_NAME;
  private static final String SUFFIX = "$bemi";

  private final Interception interception;
  private final int access;
  private final String signature;
  private final String[] exceptions;
  private final boolean writeFrames;
  private final String owner;

  MethodWrapper(Interception interception, int access, String signature, String[] exceptions, int classVersion) {
    this.interception = interception;
    this.access = access;
    this.signature = signature;
    this.exceptions = exceptions;
    this.writeFrames = (classVersion & 0xFFFF) >= Opcodes.V1_6;
    this.owner = interception.owner();
  }

  private boolean isStatic() {
    return (access & Opcodes.ACC_STATIC) != 0;
  }

  /** Where the original method's body goes: renamed, or (for Javalin) in place with a call in front. */
  MethodVisitor visitOriginal(ClassVisitor target) {
    if (interception.kind() == Interception.Kind.JAVALIN_ENDPOINT) {
      MethodVisitor original = target.visitMethod(access, interception.method(), interception.descriptor(), signature, exceptions);
      return new MethodVisitor(Opcodes.ASM9, original) {
        @Override
        public void visitCode() {
          super.visitCode();
          super.visitVarInsn(Opcodes.ALOAD, 1);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "javalinEndpoint", "(Ljava/lang/Object;)V", false);
        }
      };
    }
    int renamedAccess = (access & ~(Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC;
    return target.visitMethod(renamedAccess, interception.method() + SUFFIX, interception.descriptor(), signature, exceptions);
  }

  /** Adds the method with the original name that calls the hooks around the renamed original. */
  void writeWrapper(ClassVisitor target) {
    if (interception.kind() == Interception.Kind.JAVALIN_ENDPOINT) {
      return;
    }
    int wrapperAccess = access & ~Opcodes.ACC_SYNCHRONIZED; // the renamed original keeps any lock
    MethodVisitor mv = target.visitMethod(wrapperAccess, interception.method(), interception.descriptor(), signature, exceptions);
    mv.visitCode();
    switch (interception.kind()) {
      case CONNECTION -> connection(mv);
      case REQUEST -> request(mv);
      case SPRING_HANDLER -> springHandler(mv);
      default -> throw new IllegalStateException(interception.kind().name());
    }
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private void connection(MethodVisitor mv) {
    Label start = new Label();
    Label end = new Label();
    Label failed = new Label();
    mv.visitTryCatchBlock(start, end, failed, null);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectionEnter", "()V", false);
    mv.visitLabel(start);
    callOriginal(mv);
    mv.visitLabel(end);
    // stack: connection
    int resultSlot = argumentSlots();
    mv.visitVarInsn(Opcodes.ASTORE, resultSlot);
    pushInt(mv, interception.site());
    mv.visitVarInsn(Opcodes.ALOAD, resultSlot);
    loadThisOrNull(mv);
    loadArgumentOrNull(mv, 0);
    loadArgumentOrNull(mv, 1);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectionExit",
        "(ILjava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", false);
    mv.visitTypeInsn(Opcodes.CHECKCAST, Type.getReturnType(interception.descriptor()).getInternalName());
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitLabel(failed);
    frameWithThrowable(mv, false);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "connectionFailed", "()V", false);
    mv.visitInsn(Opcodes.ATHROW);
  }

  private void request(MethodVisitor mv) {
    Label start = new Label();
    Label end = new Label();
    Label failed = new Label();
    int scopeSlot = argumentSlots();
    mv.visitTryCatchBlock(start, end, failed, null);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "requestEnter", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
    mv.visitVarInsn(Opcodes.ASTORE, scopeSlot);
    mv.visitLabel(start);
    callOriginal(mv);
    mv.visitLabel(end);
    mv.visitVarInsn(Opcodes.ALOAD, scopeSlot);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "requestExit", "(Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitLabel(failed);
    frameWithThrowable(mv, true);
    mv.visitVarInsn(Opcodes.ALOAD, scopeSlot);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "requestExit", "(Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.ATHROW);
  }

  private void springHandler(MethodVisitor mv) {
    callOriginal(mv);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, "springHandlerFound", "(Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.ARETURN);
  }

  /** Pushes {@code this} and the arguments and calls the renamed original. */
  private void callOriginal(MethodVisitor mv) {
    int slot = 0;
    if (!isStatic()) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      slot = 1;
    }
    for (Type argument : Type.getArgumentTypes(interception.descriptor())) {
      mv.visitVarInsn(argument.getOpcode(Opcodes.ILOAD), slot);
      slot += argument.getSize();
    }
    String name = interception.method() + SUFFIX;
    if (isStatic()) {
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, name, interception.descriptor(), false);
    } else {
      mv.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, name, interception.descriptor(), false);
    }
  }

  private int argumentSlots() {
    return (Type.getArgumentsAndReturnSizes(interception.descriptor()) >> 2) - (isStatic() ? 1 : 0);
  }

  private void loadThisOrNull(MethodVisitor mv) {
    if (isStatic()) {
      mv.visitInsn(Opcodes.ACONST_NULL);
    } else {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
    }
  }

  private void loadArgumentOrNull(MethodVisitor mv, int index) {
    Type[] arguments = Type.getArgumentTypes(interception.descriptor());
    if (index >= arguments.length || arguments[index].getSort() != Type.OBJECT) {
      mv.visitInsn(Opcodes.ACONST_NULL);
      return;
    }
    int slot = isStatic() ? 0 : 1;
    for (int i = 0; i < index; i++) {
      slot += arguments[i].getSize();
    }
    mv.visitVarInsn(Opcodes.ALOAD, slot);
  }

  /** The frame at an exception handler: the method's arguments (plus the scope, if any) and the thrown value. */
  private void frameWithThrowable(MethodVisitor mv, boolean withScope) {
    if (!writeFrames) {
      return;
    }
    Type[] arguments = Type.getArgumentTypes(interception.descriptor());
    Object[] locals = new Object[(isStatic() ? 0 : 1) + arguments.length + (withScope ? 1 : 0)];
    int i = 0;
    if (!isStatic()) {
      locals[i++] = owner;
    }
    for (Type argument : arguments) {
      locals[i++] = frameType(argument);
    }
    if (withScope) {
      locals[i] = "java/lang/Object";
    }
    mv.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
  }

  private static Object frameType(Type type) {
    return switch (type.getSort()) {
      case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
      case Type.LONG -> Opcodes.LONG;
      case Type.FLOAT -> Opcodes.FLOAT;
      case Type.DOUBLE -> Opcodes.DOUBLE;
      case Type.ARRAY -> type.getDescriptor();
      default -> type.getInternalName();
    };
  }

  private static void pushInt(MethodVisitor mv, int value) {
    mv.visitInsn(Opcodes.ICONST_0 + value);
  }
}
