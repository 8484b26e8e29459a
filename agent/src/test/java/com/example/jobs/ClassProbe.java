package com.example.jobs;

/** Prints {@code name=true|false} for each class name: whether the application's class loader can load it. */
public final class ClassProbe {

  public static void main(String[] args) {
    for (String name : args) {
      boolean visible;
      try {
        Class.forName(name, false, ClassProbe.class.getClassLoader());
        visible = true;
      } catch (ClassNotFoundException | LinkageError e) {
        visible = false;
      }
      System.out.println(name + "=" + visible);
    }
  }
}
